import type { LanguageModelV4 } from "@ai-sdk/provider";
import type { Db } from "@/db";
import type { JobStep, JobStepRecord } from "@/db/ai-schema";
import { combineSections } from "./job-types/sections";
import { countStepAttempt, recordJobStep } from "./jobs/ledger";
import { permanentFailure } from "./jobs/job-failure";
import { costUsd, roundCost } from "./pricing";
import { hashPrompt } from "./prompts";
import { joinRevisedSections, SECTION_MAX_TOKENS, sectionParts, splitIntoSections } from "./sections";
import { countTokens } from "./tokens";
import { type GeneratedText, type GenerateSettings, generateJobText, renderJobPrompt } from "./job-types/steps";

export type { JobStep, JobStepRecord } from "@/db/ai-schema";

/*
 * A job whose workflow chains model calls (ai_jobs.steps): step 1 is the job's own call (its recorded template and
 * payload, one piece or sectioned, run by the usual steps), and each later step renders its own template with its
 * variables and the answer of the step before, then generates and validates again. The job's answer is the last
 * step's; its tokens and cost are every step's. The runner gives each later step an engine step of its own, so a retry
 * of step 2 replays step 1 from the engine's memory instead of asking the model for it again.
 *
 * A later step answers with its whole input rewritten (proofreading), and an answer has to fit the model's output
 * limit: an input longer than a section (lib/ai/sections.ts) is cut into sections as a long page's revision is, each
 * section is a call (and an engine step) of its own, and the answers are joined back in the input's whitespace. The
 * step's record is then the sum of its sections'. Nothing of the input is left out or cut short.
 */

/** The later steps of a chained job (none for a one-call job). */
export function chainedSteps(steps: readonly JobStep[] | null | undefined): readonly JobStep[] {
  return steps && steps.length > 1 ? steps.slice(1) : [];
}

/** A step's answer as its engine step records it (JSON): the generated text with when it ended. */
export type StepResult = GeneratedText & {
  completedAt: string | null;
  /** A later step's call: when it started and the hash of its prompt, for the step's record. */
  startedAt?: string;
  promptHash?: string;
};

/** The variables step `index` renders with: its own, and the step before's answer. */
export function stepVariables(step: JobStep, previousText: string): Record<string, unknown> {
  return { ...step.variables, [step.inputVariable ?? "text"]: previousText };
}

/**
 * The pieces a later step reads the step before's answer in: the whole answer when one model answer can hold it
 * again, otherwise its sections (at most `maxTokens` each), which concatenate back to it exactly. Pure, so a
 * replayed run cuts the same sections from the same memoized answer.
 */
export function chainStepSections(previousText: string, maxTokens: number = SECTION_MAX_TOKENS): string[] {
  if (countTokens(previousText) <= maxTokens) return [previousText];
  return splitIntoSections(previousText, maxTokens, countTokens);
}

/** One call of a later step: section `index` of `sections` (chainStepSections), after the answers to those before. */
export interface ChainStepPart {
  index: number;
  sections: readonly string[];
  /** The answers to the sections before this one (their engine steps' results), in order. */
  done: readonly StepResult[];
}

/**
 * Runs step `index` (≥ 1) of a running chained job on `part` of the answer of the step before (its engine step's
 * result): the whole answer, or one of its sections. On its first later call, it records step 1 too, from what the job's own
 * call returned; the step's own record is written by its last section. Counts an attempt; a cancelled job stops
 * here before calling the model (the attempt's status guard) or at the next partial save while it streams.
 */
export async function runChainStep(
  db: Db,
  jobId: string,
  index: number,
  previous: StepResult,
  deps: {
    /** The prompt hash of step 1 (the render step's) and when the job started, for step 1's record. */
    first: { promptHash: string };
    model: (job: { provider: string; model: string; jobType: string }) => LanguageModelV4;
    settings: GenerateSettings;
    validate: (text: string) => Promise<void>;
  },
  part: ChainStepPart,
): Promise<StepResult> {
  const soFar = part.done.map((d) => d.text).join("");
  const job = await countStepAttempt(db, jobId, soFar);
  if (!job) throw permanentFailure("GEN_CANCELLED", "the job is no longer running");
  const step = job.steps?.[index];
  if (!step) throw permanentFailure("INTERNAL", `the job has no step ${index + 1}`);
  if (index === 1 && !job.steps![0]!.record) {
    await recordJobStep(db, jobId, 0, {
      promptHash: deps.first.promptHash,
      inputTokens: previous.inputTokens,
      outputTokens: previous.outputTokens,
      costUsd: previous.costUsd,
      startedAt: job.startedAt?.toISOString() ?? null,
      firstTokenAt: previous.firstTokenAt,
      completedAt: previous.completedAt ?? new Date().toISOString(),
      outputCharacters: previous.text.length,
    });
  }
  const sectioned = part.sections.length > 1;
  const original = part.sections[part.index];
  if (original === undefined) throw permanentFailure("INTERNAL", `step ${index + 1} has no section ${part.index + 1}`);
  // A section goes in without the whitespace around it, which the join puts back from the input.
  const { lead, body } = sectionParts(original);
  const prompt = await renderJobPrompt(
    { id: jobId, templateKey: step.templateKey, templateVersion: step.templateVersion, promptPayload: null },
    stepVariables(step, sectioned ? body : original),
  );
  const startedAt = new Date().toISOString();
  const result = await generateJobText(db, jobId, {
    model: deps.model(job),
    prompt,
    ...deps.settings,
    ...(sectioned
      ? {
          shownAs: (answer: string) => soFar + lead + answer.trimStart(),
          section: { number: part.index + 1, count: part.sections.length },
        }
      : {}),
  });
  const text = sectioned ? joinRevisedSections([original], [result.text]) : result.text;
  const last = part.index === part.sections.length - 1;
  // As a sectioned revision does: the job type checks the whole answer once, when its last piece is in.
  if (last) await deps.validate(soFar + text);
  const own: StepResult = {
    text,
    inputTokens: result.inputTokens,
    outputTokens: result.outputTokens,
    costUsd: costUsd(job.model, result),
    firstTokenAt: result.firstTokenAt?.toISOString() ?? null,
    completedAt: new Date().toISOString(),
    startedAt,
    promptHash: hashPrompt(prompt),
  };
  if (last) {
    const parts = [...part.done, own];
    const whole = combineSections(parts);
    const record: JobStepRecord = {
      // One hash for the step however many calls it took: of its calls' prompt hashes, in order.
      promptHash: sectioned ? hashPrompt(parts.map((p) => p.promptHash ?? "").join("\n")) : own.promptHash!,
      inputTokens: whole.inputTokens,
      outputTokens: whole.outputTokens,
      costUsd: whole.costUsd,
      startedAt: parts[0]!.startedAt ?? startedAt,
      firstTokenAt: whole.firstTokenAt,
      completedAt: own.completedAt!,
      outputCharacters: whole.text.length,
      ...(sectioned ? { sections: parts.length } : {}),
    };
    await recordJobStep(db, jobId, index, record);
  }
  return own;
}

/** A later step's answer from its sections' (one for most): the text joined in order, tokens and cost summed. */
export function combineChainParts(parts: readonly StepResult[]): StepResult {
  return { ...combineSections(parts), completedAt: parts.at(-1)?.completedAt ?? null };
}

/** The job's answer from its steps: the last step's text, every step's tokens and cost, the first token's time. */
export function combineSteps(results: readonly StepResult[]): GeneratedText {
  const priced = results.filter((r) => r.costUsd !== null);
  return {
    text: results.at(-1)!.text,
    inputTokens: results.reduce((sum, r) => sum + r.inputTokens, 0),
    outputTokens: results.reduce((sum, r) => sum + r.outputTokens, 0),
    costUsd: priced.length === 0 ? null : roundCost(priced.reduce((sum, r) => sum + r.costUsd!, 0)),
    firstTokenAt: results.find((r) => r.firstTokenAt !== null)?.firstTokenAt ?? null,
  };
}
