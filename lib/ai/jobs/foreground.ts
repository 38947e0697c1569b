/*
 * Foreground first. The background runner (summaries after edits, Summarize all, roll-ups, background revisions,
 * translations) shares this process and its CPU with the jobs an author is watching. On a 2-core machine, Summarize
 * all of a long story kept the event loop busy enough to add 60% to Generate's overhead (bench/results/memory.md).
 * So a background job's step waits before its work while a foreground job of this process is under way (from its
 * request to its last step) — at most AI_BACKGROUND_YIELD_MS per step, so that background work slows down under a
 * stream of Generates but never stops. It is about this process's CPU: other instances are neither asked nor told.
 */

/**
 * A foreground job not heard of for this long is taken as gone: its run may be on another instance, or its end was
 * missed. A job in a step is heard of at the step's end, however long its model streams.
 */
const FORGOTTEN_AFTER_MS = 2000;
const POLL_MS = 10;
const DEFAULT_YIELD_MS = 1000;

let stepsInProgress = 0;
const lastHeardOf = new Map<string, number>();

export function backgroundYieldMs(env: Record<string, string | undefined> = process.env): number {
  const raw = env.AI_BACKGROUND_YIELD_MS;
  if (raw === undefined || raw.trim() === "") return DEFAULT_YIELD_MS;
  const value = Number(raw);
  return Number.isInteger(value) && value >= 0 ? value : DEFAULT_YIELD_MS;
}

function foregroundBusy(now: number): boolean {
  if (stepsInProgress > 0) return true;
  for (const [jobId, heard] of lastHeardOf) {
    if (now - heard < FORGOTTEN_AFTER_MS) return true;
    lastHeardOf.delete(jobId);
  }
  return false;
}

/** A foreground job was requested, or is between two of its steps: background steps hold back until it ends. */
export function noteForegroundJob(jobId: string): void {
  lastHeardOf.set(jobId, performance.now());
}

/** The foreground job has run its last step (or will run none): background steps need not wait for it any more. */
export function foregroundJobEnded(jobId: string): void {
  lastHeardOf.delete(jobId);
}

/** Runs one step of a foreground job; background steps wait while it runs. */
export async function inForegroundStep<T>(jobId: string, work: () => Promise<T>): Promise<T> {
  stepsInProgress++;
  noteForegroundJob(jobId);
  try {
    return await work();
  } finally {
    stepsInProgress--;
    noteForegroundJob(jobId);
  }
}

/**
 * Waits, before a background step's work, until no foreground job of this process is under way, or `maxWaitMs` has
 * passed. Resolves at once when nothing is in the foreground. Returns how long it waited.
 */
export async function yieldToForeground(maxWaitMs: number = backgroundYieldMs()): Promise<number> {
  const start = performance.now();
  const deadline = start + maxWaitMs;
  let now = start;
  while (now < deadline && foregroundBusy(now)) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, deadline - now)));
    now = performance.now();
  }
  return now - start;
}
