import crypto from "node:crypto";
import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4StreamPart,
  LanguageModelV4Usage,
} from "@ai-sdk/provider";
import { reviseSection, SECTION_PROMPT_MARKER } from "./offline-section";
import { isTranslatePrompt, offlineTranslation } from "./offline-translate";
import { isProofreadPrompt, offlineProofread } from "./offline-proofread";
import { isCodexSuggestPrompt, offlineCodexSuggestions } from "./offline-codex";
import { isRollupPrompt, isSummaryPrompt, offlineRollup, offlineSummary } from "./offline-summary";
import { offlineFault, offlineHold } from "./offline-faults";
import { estimateTokens } from "./tokens";
import { readInstruction, reviseText, SentenceMaker, storyWords, writeText } from "./offline-writer";
import { CONTINUE_INSTRUCTION } from "./workflows/continuation";

/**
 * A model that needs no network and no weights, so the app works out of the box: it reads the story from the prompt
 * and writes text made only of that story's words (lib/ai/offline-writer.ts), deterministically (same prompt, same
 * text), and streams it word by word at a typing pace. It is a stand-in, not a language model, and is labelled
 * "offline model" wherever it is used.
 */
export const OFFLINE_MODEL_ID = "offline";
export const OFFLINE_PROVIDER = "offline";

function messageText(message: LanguageModelV4CallOptions["prompt"][number]): string {
  if (typeof message.content === "string") return message.content;
  return message.content.map((part) => (part.type === "text" ? part.text : "")).join("");
}

function promptText(options: LanguageModelV4CallOptions): string {
  return options.prompt.map(messageText).join("\n");
}

/**
 * The answer to a call: the text for the prompt, or, for a continuation of a cut-off answer (prompt, partial answer,
 * CONTINUE_INSTRUCTION: lib/ai/workflows/continuation.ts), the rest of the text the prompt would have produced after
 * the part the partial shares with it. Deterministic, so a resumed job writes what an uninterrupted one would have.
 */
export function offlineAnswer(options: LanguageModelV4CallOptions): string {
  const messages = options.prompt;
  const last = messages.at(-1);
  const partial = messages.at(-2);
  if (last?.role === "user" && partial?.role === "assistant" && messageText(last) === CONTINUE_INSTRUCTION) {
    const full = offlineText(messages.slice(0, -2).map(messageText).join("\n"), options.seed);
    const cut = messageText(partial);
    let shared = 0;
    while (shared < full.length && shared < cut.length && full[shared] === cut[shared]) shared++;
    return full.slice(shared);
  }
  return offlineText(promptText(options), options.seed);
}

function rng(seed: string): () => number {
  let state = crypto.createHash("sha256").update(seed).digest().readUInt32LE(0) || 1;
  return () => {
    // xorshift32: tiny, deterministic, good enough to pick words.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
}

/** The parts of a page prompt (page_write / page_revise) the offline model writes from. */
export interface StoryPrompt {
  /** The story's own text: title, summary, codex and the pages in the context, without the prompt's headings. */
  story: string;
  /** The pages given in full and the page being revised: the prose whose verbs and layout the model follows. */
  prose: string;
  characters: string[];
  /** The page being revised, exactly as the author wrote it (null for a page to write). */
  current: string | null;
  instruction: string;
}

function codexOf(prompt: string): { text: string; characters: string[] } {
  const characters: string[] = [];
  const lines: string[] = [];
  for (const m of prompt.matchAll(
    /^- (.+?) \((character|place|thing|lore|other)(?:; also called (.*?))?\)(?:: (.*))?$/gm,
  )) {
    lines.push([m[1], m[3], m[4]].filter(Boolean).join(". "));
    if (m[2] === "character") characters.push(m[1]!);
  }
  return { text: lines.join("\n"), characters };
}

export function parseStoryPrompt(prompt: string): StoryPrompt {
  const title = /^Story title: (.*)$/m.exec(prompt)?.[1] ?? "";
  const summary = /^Story summary: (.*)$/m.exec(prompt)?.[1] ?? "";
  const codex = codexOf(prompt);
  const from = prompt.indexOf("page by page.");
  const ends = ["\nThe current text of page", "\nThe writer's instruction", "\nWrite page ", "\n<<<\n"]
    .map((end) => prompt.indexOf(end, from))
    .filter((i) => i >= 0);
  const context = from < 0 ? "" : prompt.slice(prompt.indexOf("\n", from) + 1, Math.min(prompt.length, ...ends));
  // Summaries and briefs are in the present tense of a synopsis: their words count as the story's, but the prose the
  // model imitates (its verbs, its indentation) comes from the pages in full.
  const pages: string[] = [];
  const prose: string[] = [];
  let full = true;
  for (const line of context.split("\n")) {
    const heading = /^--- (.*) ---$/.exec(line);
    if (heading) full = !/\((?:summary|in brief)\)/.test(heading[1]!);
    else if (!/^\(blank\)$|^\[…\]$/.test(line.trim())) {
      const text = line.replace(/\(p\. \d+\) /g, "");
      pages.push(text);
      if (full) prose.push(text);
    }
  }
  const current = /(?:^|\n)<<<\n([\s\S]*?)\n>>>(?:\n|$)/.exec(prompt)?.[1] ?? null;
  const instruction = /The writer's instruction(?: for this page)?: (.*)/.exec(prompt)?.[1] ?? "";
  return {
    story: [title, summary, codex.text, ...pages, current ?? ""].filter(Boolean).join("\n"),
    prose: [...prose, current ?? ""].join("\n"),
    characters: codex.characters,
    current: prompt.includes("PAGE TO REVISE") ? current : null,
    instruction,
  };
}

/**
 * `extra`: sentences added to the last line (a take's seed asks for 0–3 of them), so that takes with consecutive
 * seeds differ in length as well as in words even when the story's vocabulary is small.
 */
function writeOrRevise(prompt: string, random: () => number, extra = 0): string {
  const parsed = parseStoryPrompt(prompt);
  const words = storyWords(parsed.prose.trim() === "" ? parsed.story : parsed.prose, parsed.characters);
  const instruction = readInstruction(parsed.instruction, words.names, parsed.story);
  const maker = new SentenceMaker(words, random);
  maker.remember(parsed.story);
  const text =
    parsed.current !== null && parsed.current.trim() !== ""
      ? reviseText(parsed.current, instruction, maker, { first: true })
      : writeText(instruction, maker, words.indent);
  if (extra === 0) return text;
  const added: string[] = [];
  for (let i = 0; i < extra; i++) {
    const sentence = maker.makeAny(["action", "detail", "dialogue", "darker"]) ?? maker.filler();
    if (sentence) added.push(sentence);
  }
  const trailing = /\s*$/.exec(text)![0];
  return `${text.slice(0, text.length - trailing.length)} ${added.join(" ")}${trailing}`.replace(/ {2,}$/, "");
}

/**
 * `seed` (a take's sampling seed) picks another deterministic text for the same prompt: each take of a set differs,
 * and a take's text is the same every time its seed is.
 */
export function offlineText(prompt: string, seed?: number): string {
  // Tasks other than a page's text, each answered from its own file.
  if (isTranslatePrompt(prompt)) return offlineTranslation(prompt);
  if (isProofreadPrompt(prompt)) return offlineProofread(prompt);
  if (isCodexSuggestPrompt(prompt)) return offlineCodexSuggestions(prompt);
  if (isRollupPrompt(prompt)) return offlineRollup(prompt);
  if (isSummaryPrompt(prompt)) return offlineSummary(prompt);
  const random = rng(seed === undefined ? prompt : `${prompt}\u0000seed:${seed}`);
  if (prompt.includes(SECTION_PROMPT_MARKER)) return reviseSection(prompt, random);
  return writeOrRevise(prompt, random, seed === undefined ? 0 : Math.abs(seed) % 4);
}

function usage(prompt: string, output: string): LanguageModelV4Usage {
  const inputTokens = estimateTokens(prompt);
  const outputTokens = estimateTokens(output);
  return {
    inputTokens: { total: inputTokens, noCache: inputTokens, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: outputTokens, text: outputTokens, reasoning: 0 },
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error("aborted"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export function createOfflineModel(options: { msPerWord?: number } = {}): LanguageModelV4 {
  const msPerWord = options.msPerWord ?? Number(process.env.OFFLINE_MODEL_MS_PER_WORD ?? 35);
  return {
    specificationVersion: "v4",
    provider: OFFLINE_PROVIDER,
    modelId: OFFLINE_MODEL_ID,
    supportedUrls: {},
    async doGenerate(callOptions) {
      const prompt = promptText(callOptions);
      const text = offlineAnswer(callOptions);
      return {
        content: [{ type: "text", text }],
        finishReason: { unified: "stop", raw: "stop" },
        usage: usage(prompt, text),
        warnings: [],
      };
    },
    async doStream(callOptions) {
      const prompt = promptText(callOptions);
      const fault = offlineFault(prompt);
      if (fault) throw fault;
      const text = offlineAnswer(callOptions);
      const words = text.split(/(?<= )/);
      const signal = callOptions.abortSignal;
      const stream = new ReadableStream<LanguageModelV4StreamPart>({
        async start(controller) {
          try {
            controller.enqueue({ type: "stream-start", warnings: [] });
            controller.enqueue({ type: "text-start", id: "0" });
            for (const [index, word] of words.entries()) {
              await sleep(msPerWord, signal);
              controller.enqueue({ type: "text-delta", id: "0", delta: word });
              if (index === 0) await offlineHold(prompt, signal);
            }
            controller.enqueue({ type: "text-end", id: "0" });
            controller.enqueue({
              type: "finish",
              usage: usage(prompt, text),
              finishReason: { unified: "stop", raw: "stop" },
            });
            controller.close();
          } catch (error) {
            controller.error(error);
          }
        },
      });
      return { stream };
    },
  };
}
