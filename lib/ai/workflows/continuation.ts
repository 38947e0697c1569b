import type { ModelMessage } from "ai";
import { countTokens } from "../tokens";

/*
 * Resuming an interrupted answer. An attempt cut off by GEN_TIMEOUT (or a dropped connection, or a crashed worker)
 * has already been paid for the text it streamed, and that text is in the job's row (partial_text). The next attempt
 * sends the same prompt, then the partial text as the assistant's own turn, then a short instruction to go on from
 * exactly where it stopped, and streams only the continuation. A trailing assistant message alone (a "prefill") would
 * be cheaper in words, but only some providers document it as a continuation (OpenAI's chat API does not); the
 * explicit instruction works with any chat model. docs/ARCHITECTURE.md ("Resuming an interrupted answer") has the cost.
 */

/** The instruction after the partial answer; the offline model recognises it (lib/ai/offline-model.ts). */
export const CONTINUE_INSTRUCTION =
  "Your answer above was cut off. Continue it exactly where it stops, even mid-sentence or mid-word: write only the " +
  "missing rest, without repeating any of the text above and without any preamble.";

/** Below this many tokens of partial text a resume saves less than its own instruction and framing cost. */
export const RESUME_MIN_PARTIAL_TOKENS = 32;

/** The messages of a resumed call: the original prompt, the partial answer, the instruction. */
export function continuationMessages(prompt: string, partial: string): ModelMessage[] {
  return [
    { role: "user", content: prompt },
    { role: "assistant", content: partial },
    { role: "user", content: CONTINUE_INSTRUCTION },
  ];
}

/** An overlap shorter than this is as likely to be a coincidence ("the ") as a repeat. */
const MIN_OVERLAP = 12;
/** Longest repeated tail looked for (a model that repeats, repeats its last sentence or two, or everything). */
const MAX_OVERLAP = 1000;

/**
 * The answer so far given the partial text and the continuation so far. Pure, and used both for each live update and
 * for the final text, so the author sees exactly what will be stored; it always starts with the partial, unchanged,
 * so the live text never shrinks below it. A model that repeats the whole partial, or its last words, before going
 * on has the repeat dropped; at the seam, a space is added only where the two halves would otherwise run a sentence
 * into the next one, and a continuation's leading spaces are dropped after a partial that ends in one.
 */
export function joinContinuation(partial: string, continuation: string): string {
  if (partial === "") return continuation;
  let rest = continuation;
  if (rest.startsWith(partial)) rest = rest.slice(partial.length);
  else {
    const longest = Math.min(MAX_OVERLAP, partial.length, rest.length);
    for (let k = longest; k >= MIN_OVERLAP; k--) {
      if (partial.endsWith(rest.slice(0, k))) {
        rest = rest.slice(k);
        break;
      }
    }
  }
  if (rest === "") return partial;
  if (/\s$/.test(partial)) return partial + rest.replace(/^[ \t]+/, "");
  // Chat models often drop the space a new sentence or word needs after the cut; mid-word cuts join as they are.
  if (/[.!?,;:…"”’)]$/.test(partial) && /^[\p{L}\p{N}"“‘(]/u.test(rest)) return `${partial} ${rest}`;
  return partial + rest;
}

export type ResumePlan =
  | { resume: true; partial: string; partialTokens: number; maxOutputTokens?: number }
  | { resume: false; reason: string | null };

/**
 * Whether an attempt continues the previous attempt's partial text or starts from zero. Starts over when there is
 * nothing worth keeping, when the prompt plus the partial would not fit the model's input budget, or when the partial
 * already used the answer's whole output allowance. `reason` says why a partial was thrown away (null: there was none).
 */
export function planResume(input: {
  prompt: string;
  partial: string | null;
  inputBudgetTokens: number;
  maxOutputTokens?: number;
  minPartialTokens?: number;
}): ResumePlan {
  const partial = input.partial ?? "";
  if (partial.trim() === "") return { resume: false, reason: null };
  const partialTokens = countTokens(partial);
  const minimum = input.minPartialTokens ?? RESUME_MIN_PARTIAL_TOKENS;
  if (partialTokens < minimum)
    return { resume: false, reason: `partial text of ${partialTokens} tokens is under ${minimum}: not worth resuming` };
  const inputTokens = countTokens(input.prompt) + partialTokens + countTokens(CONTINUE_INSTRUCTION);
  if (inputTokens > input.inputBudgetTokens)
    return {
      resume: false,
      reason: `prompt plus partial text (${inputTokens} tokens) exceeds the input budget of ${input.inputBudgetTokens}`,
    };
  if (input.maxOutputTokens === undefined) return { resume: true, partial, partialTokens };
  const left = input.maxOutputTokens - partialTokens;
  if (left <= 0)
    return { resume: false, reason: `partial text already used the ${input.maxOutputTokens} output tokens allowed` };
  return { resume: true, partial, partialTokens, maxOutputTokens: left };
}
