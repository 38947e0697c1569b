import type { AiJobType } from "@/db/ai-schema";

/**
 * How each job type runs, known without its definition: the queue routes a job by it (lib/ai/jobs/queue.ts) from
 * wherever the job was submitted, before any domain module is loaded. `model`: one model call per job;
 * `fan-out`: no model call of its own, one child job per target, ends with its children. Typed over every job type
 * of the ledger, so a new type does not compile until it says which kind it is.
 */
export const jobTypeKinds = {
  "page_text.write": "model",
  "page_text.revise": "model",
  "story.revise_pages": "fan-out",
  "page.summarize": "model",
  "story.summarize_pages": "fan-out",
  "codex.suggest": "model",
  "story.suggest_codex": "fan-out",
  "story.rollup": "model",
  "story.translate": "fan-out",
  "page.translate": "model",
  "page_text.takes": "fan-out",
  "page_text.take": "model",
  // Run by their own function (lib/stories/functions/illustrate-page.ts): an image is no text to stream.
  "page.illustrate": "illustration",
  "page.describe_scene": "illustration",
} as const satisfies Record<AiJobType, "model" | "fan-out" | "illustration">;

export type ModelJobTypeName = { [K in AiJobType]: (typeof jobTypeKinds)[K] extends "model" ? K : never }[AiJobType];
export type FanOutJobTypeName = { [K in AiJobType]: (typeof jobTypeKinds)[K] extends "fan-out" ? K : never }[AiJobType];

/**
 * Model job types that run under the background limit even without a parent: follow-ups nobody waits for (the
 * summary after an edit, the roll-ups after summaries changed). They are not requests of their own, so the rate limit does not count them either.
 */
export const backgroundJobTypes: ReadonlySet<AiJobType> = new Set<AiJobType>(["page.summarize", "story.rollup"]);

/**
 * Children the author waits for, side by side (the takes of a take set): they run in run-ai-job under AI_CONCURRENCY,
 * not in the background runner (whose small limit would run them one after another), and each counts as a request
 * against the rate limit, while their parent does not (a take set of 3 is 3 requests).
 */
export const foregroundChildJobTypes: ReadonlySet<AiJobType> = new Set<AiJobType>(["page_text.take"]);
/** Fan-out types whose requests are counted by their children (foregroundChildJobTypes), not by themselves. */
export const countedByChildrenJobTypes: ReadonlySet<AiJobType> = new Set<AiJobType>(["page_text.takes"]);

export function isForegroundChildJobType(type: string): boolean {
  return foregroundChildJobTypes.has(type as AiJobType);
}

export function isBackgroundJobType(type: string): boolean {
  return backgroundJobTypes.has(type as AiJobType);
}

export function isIllustrationJobType(type: string): boolean {
  return Object.hasOwn(jobTypeKinds, type) && jobTypeKinds[type as AiJobType] === "illustration";
}

export function isFanOutJobType(type: string): boolean {
  return Object.hasOwn(jobTypeKinds, type) && jobTypeKinds[type as AiJobType] === "fan-out";
}
