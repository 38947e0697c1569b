import crypto from "node:crypto";
import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4StreamPart,
  LanguageModelV4Usage,
} from "@ai-sdk/provider";
import { reviseSection, SECTION_PROMPT_MARKER } from "./offline-section";
import { isCodexSuggestPrompt, offlineCodexSuggestions } from "./offline-codex";
import { isRollupPrompt, isSummaryPrompt, offlineRollup, offlineSummary } from "./offline-summary";
import { estimateTokens } from "./tokens";
import { CONTINUE_INSTRUCTION } from "./workflows/continuation";

/**
 * A model that needs no network and no weights, so the app works out of the box: it reads the story from the prompt
 * and writes text derived from it (names, places, the last scene), deterministically (same prompt, same text), and
 * streams it word by word at a typing pace. It is clearly labelled "offline model" wherever it is used.
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
    const full = offlineText(messages.slice(0, -2).map(messageText).join("\n"));
    const cut = messageText(partial);
    let shared = 0;
    while (shared < full.length && shared < cut.length && full[shared] === cut[shared]) shared++;
    return full.slice(shared);
  }
  return offlineText(promptText(options));
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

const NOT_NAMES = new Set(
  "The A An And But Or If In On At Of To For With From By As It Its He She They We I You Her His Their Our My Your This That These Those There Here When Then Than What Who Why How Where Page Story Language Write Answer Keep No Rewrite Inside Out Outside One Two Three After Before Once Every Some Each All Any Not Nothing Only".split(
    " ",
  ),
);

function storyNames(text: string): string[] {
  const counts = new Map<string, number>();
  for (const match of text.matchAll(/(?<=[a-z,;] )([A-Z][a-z]{2,})/g)) {
    const word = match[1]!;
    if (!NOT_NAMES.has(word)) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([w]) => w);
}

function storyNouns(text: string): string[] {
  const counts = new Map<string, number>();
  for (const match of text.matchAll(/\b(?:the|a|an|her|his|their) ([a-z]{4,})\b/g)) {
    // Adjectives and participles make poor subjects ("the borrowed flickered").
    if (/(?:ed|ly|ing|ous|ful|est)$/.test(match[1]!)) continue;
    counts.set(match[1]!, (counts.get(match[1]!) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([w]) => w);
}

function section(text: string, start: string, end: string): string {
  const from = text.indexOf(start);
  if (from < 0) return "";
  const to = text.indexOf(end, from + start.length);
  return text.slice(from + start.length, to < 0 ? undefined : to);
}

function sentences(text: string): string[] {
  return text
    .replace(/\s+/g, " ")
    .trim()
    .split(/(?<=[.!?…]["”’]?)\s+/)
    .filter((s) => s.length > 0);
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)]!;
}

function writePage(prompt: string, random: () => number): string {
  const story = section(prompt, "page by page.", "Write page ");
  const names = storyNames(story);
  const nouns = storyNouns(story);
  const hero = names[0] ?? "She";
  const other = names[1] ?? "the stranger";
  const thing = nouns[0] ?? "light";
  const place = nouns[1] ?? "shore";
  const openings = [
    `Morning came grey and slow, and ${hero} had not slept.`,
    `By the time ${hero} reached the ${place}, the wind had turned.`,
    `Nobody spoke of it at breakfast, but ${hero} could think of nothing else.`,
    `${hero} went back the next evening, alone this time.`,
  ];
  const middles = [
    `The ${thing} was where it had been, as if it had been waiting for her to notice it properly.`,
    `${other === "the stranger" ? "A stranger" : other} was already there, watching the water with the patience of someone who knew how this ended.`,
    `Every question she had brought with her seemed smaller out here, and heavier.`,
    `She counted her steps without meaning to, the way her grandmother used to.`,
    `Somewhere below, the sea kept its own time, unhurried and certain.`,
    `"You came back," ${other} said, and it did not sound like a question.`,
  ];
  const closings = [
    `When the ${thing} flickered again, ${hero} did not look away.`,
    `She understood, at last, that the answer had never been meant for ships.`,
    `${hero} wrote one line in the logbook before she left, and did not sign it.`,
    `Behind her, the ${place} held its breath, and then, very softly, answered.`,
  ];
  const lines = [pick(openings, random)];
  const used = new Set<number>();
  while (lines.length < 4) {
    const index = Math.floor(random() * middles.length);
    if (!used.has(index)) {
      used.add(index);
      lines.push(middles[index]!);
    }
  }
  lines.push(pick(closings, random));
  return lines.join(" ");
}

function revisePage(prompt: string, random: () => number): string {
  const current = section(prompt, "<<<\n", "\n>>>").trim();
  const instruction = (/The writer's instruction: (.*)/.exec(prompt)?.[1] ?? "").toLowerCase();
  let parts = sentences(current);
  if (parts.length === 0) return writePage(prompt, random);
  const shorter = /short|half|concise|trim|tight/.test(instruction);
  if (shorter) parts = parts.filter((_s, i) => i % 2 === 0 || i === parts.length - 1);
  const swaps: [RegExp, string][] = [
    [/\bvery\b/g, "deeply"],
    [/\bsaid\b/g, "murmured"],
    [/\blooked\b/g, "gazed"],
    [/\bwalked\b/g, "made her way"],
    [/\bbig\b/g, "vast"],
    [/\bsmall\b/g, "slight"],
  ];
  const revised = parts.map((s) => swaps.reduce((text, [from, to]) => text.replace(from, to), s));
  if (/dark|grim|ominous/.test(instruction))
    revised.push("Somewhere beneath it all, something old and cold was paying attention.");
  else if (/light|funny|hopeful|warm/.test(instruction))
    revised.push("For the first time in days, she almost laughed.");
  else if (instruction && !shorter)
    revised.push(
      pick(["Nothing about it was simple any more.", "She let the moment settle before moving on."], random),
    );
  else if (!shorter) {
    // No instruction: a revision that came back word for word would look like nothing happened, so the page gains a
    // line of texture after its opening, named from the story itself.
    const names = storyNames(section(prompt, "page by page.", "The writer's instruction"));
    const name = names[0];
    const texture = [
      `For a moment ${name ?? "she"} simply listened: the wind, the water, her own uneven breath.`,
      `The air smelled of salt and old rope, and the cold found every gap in ${name ? `${name}'s` : "her"} coat.`,
      `${name ?? "She"} noticed, without wanting to, how quiet everything had become.`,
    ];
    revised.splice(1, 0, pick(texture, random));
  }
  return revised.join(" ");
}

export function offlineText(prompt: string): string {
  // Tasks other than a page's text, each answered from its own file.
  if (isCodexSuggestPrompt(prompt)) return offlineCodexSuggestions(prompt);
  if (isRollupPrompt(prompt)) return offlineRollup(prompt);
  if (isSummaryPrompt(prompt)) return offlineSummary(prompt);
  const random = rng(prompt);
  if (prompt.includes(SECTION_PROMPT_MARKER)) return reviseSection(prompt, random);
  return prompt.includes("PAGE TO REVISE") ? revisePage(prompt, random) : writePage(prompt, random);
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
      const text = offlineAnswer(callOptions);
      const words = text.split(/(?<= )/);
      const signal = callOptions.abortSignal;
      const stream = new ReadableStream<LanguageModelV4StreamPart>({
        async start(controller) {
          try {
            controller.enqueue({ type: "stream-start", warnings: [] });
            controller.enqueue({ type: "text-start", id: "0" });
            for (const word of words) {
              await sleep(msPerWord, signal);
              controller.enqueue({ type: "text-delta", id: "0", delta: word });
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
