/**
 * What the "Generate beside background work" benchmarks share (bench:memory, bench:translate): the app's functions
 * with only Generate's model injected, the live bus tap that says when a page was written, the statistics and the
 * fixtures (the same seeded stories every run, made through the app's own domain functions).
 */
import crypto from "node:crypto";
import type { EventEmitter } from "node:events";
import type { InngestFunction } from "inngest";
import type { DbHandle } from "@/db";
import { users } from "@/db/schema";
import { createJobTypeRegistry, createRunAiJob } from "@/lib/ai";
import { subscribeJobUpdates, type JobUpdate } from "@/lib/ai/jobs/live";
import type { EngineLogger } from "@/lib/inngest/embedded";
import { addPage, createStory, type Actor } from "@/lib/stories";
import { storyInngestFunctions } from "@/lib/stories/functions";
import { storyJobTypes } from "@/lib/stories/job-types";
import { clock, type createBenchModel } from "../generation/mock-model";
import { rng } from "./rng";

type BenchModel = ReturnType<typeof createBenchModel>;

/** The app's function list with only Generate's model injected (run-ai-job); everything else as in production. */
export function functionsWithBenchModel(model: BenchModel): InngestFunction.Any[] {
  const all = storyInngestFunctions();
  const index = all.findIndex((f) => f.id() === "run-ai-job" || f.id().endsWith("-run-ai-job"));
  if (index < 0) throw new Error("run-ai-job not found in storyInngestFunctions()");
  all[index] = createRunAiJob({ jobTypes: createJobTypeRegistry(storyJobTypes), model: () => model.choice });
  return all;
}

// ---------------------------------------------------------------------------------------------------------------
// Observation: the live bus says when the apply step wrote the page (what wakes the editor).

const written = new Map<string, number>();
const waiters = new Map<string, (at: number) => void>();

export function tapLiveBus() {
  subscribeJobUpdates("bench-init", () => {})(); // creates the bus
  const bus = (globalThis as unknown as { __storySproutJobLive?: EventEmitter }).__storySproutJobLive;
  if (!bus) throw new Error("live bus not found");
  const emit = bus.emit.bind(bus);
  bus.emit = ((eventName: string | symbol, ...args: unknown[]) => {
    const update = args[0] as JobUpdate | undefined;
    if (update?.status === "succeeded" && !written.has(update.jobId)) {
      const at = clock();
      written.set(update.jobId, at);
      waiters.get(update.jobId)?.(at);
      waiters.delete(update.jobId);
    }
    return emit(eventName, ...args);
  }) as typeof bus.emit;
}

export function pageWritten(jobId: string, timeoutMs: number): Promise<number | undefined> {
  const known = written.get(jobId);
  if (known !== undefined) return Promise.resolve(known);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      waiters.delete(jobId);
      resolve(undefined);
    }, timeoutMs);
    waiters.set(jobId, (at) => {
      clearTimeout(timer);
      resolve(at);
    });
  });
}

export const logger: EngineLogger = (level, msg, fields = {}) => {
  if (level === "warn" || level === "error") console.error(JSON.stringify({ level, msg, ...fields }));
};

// ---------------------------------------------------------------------------------------------------------------
// Statistics.

export const quantile = (values: number[], q: number) => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
export const median = (values: number[]) => quantile(values, 0.5);
export const p95 = (values: number[]) => quantile(values, 0.95);
export const ms = (v: number) => (Number.isFinite(v) ? (Math.abs(v) >= 1000 ? v.toFixed(0) : v.toFixed(1)) : "–");
export const mp = (values: number[]) => `${ms(median(values))} (${ms(p95(values))})`;
export const ratio = (a: number, b: number) =>
  Number.isFinite(a) && Number.isFinite(b) && b > 0 ? (a / b).toFixed(2) : "–";
export const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));

// ---------------------------------------------------------------------------------------------------------------
// Fixtures, through the app's own domain functions.

const VOCABULARY = (
  "the a of and to in was that her his it with she he they as at on for but from had by not into out over " +
  "lighthouse harbour gulls tide water lamp stairs logbook keeper boat oars rope fog bell storm wind salt night " +
  "morning shore rocks cliff village window door letter silence voice light shadow ship sail compass map key " +
  "walked climbed watched listened remembered whispered answered waited turned opened closed carried found lost " +
  "old cold grey quiet bright slow long dark small heavy strange Mara Tobin Elsie Captain Roan"
).split(" ");

/** ~300 words in sentences of 8 to 20 words (the offline model summarises by picking key sentences). */
export function pageText(random: () => number, words = 300): string {
  const sentences: string[] = [];
  let count = 0;
  while (count < words) {
    const length = 8 + Math.floor(random() * 13);
    const sentence = Array.from({ length }, () => VOCABULARY[Math.floor(random() * VOCABULARY.length)]!).join(" ");
    sentences.push(`${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`);
    count += length;
  }
  return sentences.join(" ");
}

export async function makeAuthor(db: DbHandle["db"]): Promise<Actor> {
  const email = `bench-${crypto.randomBytes(6).toString("hex")}@example.com`;
  const [user] = await db
    .insert(users)
    .values({ email, name: "Bench author", passwordHash: "not-a-real-hash" })
    .returning();
  return { id: user!.id, role: user!.role };
}

export async function makeStory(actor: Actor, title: string, written: number, blank: number, seed: number) {
  const random = rng(seed);
  const story = await createStory(actor, { title });
  for (let p = 0; p < written; p++) await addPage(actor, { storyId: story.id, content: pageText(random) });
  const blanks: string[] = [];
  for (let p = 0; p < blank; p++) blanks.push((await addPage(actor, { storyId: story.id, content: "" })).id);
  return { id: story.id, blanks };
}
