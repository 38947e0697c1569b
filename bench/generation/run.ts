/**
 * Page generation benchmark (`npm run bench:generation`): the orchestration overhead of "Generate with AI".
 *
 * Per job: end-to-end = from calling requestPageText to the page written (the apply step has written the `ai`
 * revision and announced it on the live bus), and the model's own time = from the injected model's doStream call
 * to the end of its stream. Overhead = end-to-end − model time. Two models (instant, and one that streams a few
 * words over 500 ms), each in two passes: one job at a time (the per-job overhead) and 200 jobs requested at once
 * (20 stories × 10 pages; queueing behind the function's global concurrency limit, AI_CONCURRENCY, default 4).
 *
 * Everything is the app's own code in one process, as in production: the real run-ai-job (only the model injected),
 * apply-page-job-result and the pending-job sweeper, served by the real serve() handler on loopback and driven by the
 * embedded engine with its production timing defaults. Databases: PGlite in a temporary directory, and PostgreSQL
 * when DATABASE_URL (or BENCH_DATABASE_URL) is set, in a fresh database created and dropped for the run.
 *
 * Results go to bench/results/generation.md. Knobs (defaults in brackets): BENCH_SEQ_JOBS [50], BENCH_JOBS [200],
 * BENCH_STORIES [20], BENCH_MODEL_MS [500], BENCH_ONLY=pglite|postgres|next. BENCH_ENGINE_TIMING='{"concurrencyRecheckMs":25}'
 * runs a tuned engine instead: its report is labelled as such and only printed (bench/results/generation.md always
 * holds the production-defaults run).
 */
import crypto from "node:crypto";
import type { EventEmitter } from "node:events";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { InngestFunction } from "inngest";
import { setDbHandle, type DbHandle } from "@/db";
import { aiJobs } from "@/db/ai-schema";
import { openPglite } from "@/db/client";
import { inngestRuns } from "@/lib/inngest/embedded/testing";
import { runMigrations } from "@/db/migrate";
import { pageRevisions, pages, users } from "@/db/schema";
import { pageSuggestions } from "@/db/suggestions-schema";
import { createRunAiJob } from "@/lib/ai/functions/run-ai-job";
import { createSweepPendingJobs } from "@/lib/ai/functions/sweep-pending-jobs";
import { subscribeJobUpdates, type JobUpdate } from "@/lib/ai/jobs/live";
import type { EmbeddedEngine, EngineLogger, EngineTiming } from "@/lib/inngest/embedded";
import { startEmbeddedEngine, stopEmbeddedEngine } from "@/lib/inngest/embedded/testing";
import { inngestMode } from "@/lib/inngest/mode";
import { addPage, createStory, requestPageText, type Actor } from "@/lib/stories";
import { applyPageJobResultFunction } from "@/lib/stories/functions/apply-page-job-result";
import { answerFor, clock, createBenchModel, TAG_PREFIX } from "./mock-model";
import { machineWithVersions, PostgresUnreachable, redactUrl, withFreshPostgres } from "../shared/bench-db";
import { loadavg } from "../shared/next-app";
import { productionFailed, productionPath, productionReport, type NextResult } from "./next-start";
import { serveOnLoopback } from "./serve";

const SEQ_JOBS = Number(process.env.BENCH_SEQ_JOBS ?? 50);
const CONC_JOBS = Number(process.env.BENCH_JOBS ?? 200);
const STORIES = Number(process.env.BENCH_STORIES ?? 20);
const MODEL_MS = Number(process.env.BENCH_MODEL_MS ?? 500);
const WARMUP_JOBS = 5;
const STARTED_AT = new Date();
const LOAD_AT_START = loadavg();
const PAGES_PER_STORY = Math.max(1, Math.round(CONC_JOBS / STORIES));
const PASS_TIMEOUT_MS = 240_000;
const TUNED: EngineTiming | undefined = process.env.BENCH_ENGINE_TIMING
  ? (JSON.parse(process.env.BENCH_ENGINE_TIMING) as EngineTiming)
  : undefined;

// The job row records the environment's model; the run uses the injected one. Keep both deterministic.
for (const name of ["OPENAI_BASE_URL", "OPENAI_API_KEY", "AI_MODEL"]) delete process.env[name];
// One bench author requests hundreds of jobs a minute: the per-user rate limit (default 20 a minute) is not measured here.
process.env.AI_RATE_LIMIT_PER_MINUTE ??= "0";
if (inngestMode() !== "embedded") {
  console.error(
    "An external Inngest is configured (INNGEST_* variables): this benchmark measures the embedded engine.",
  );
  process.exit(2);
}

/** What run-ai-job uses when AI_CONCURRENCY is not given (same rule as its envNumber). */
const AI_CONCURRENCY = (() => {
  const value = Number(process.env.AI_CONCURRENCY);
  return Number.isFinite(value) && value > 0 ? value : 4;
})();

const model = createBenchModel();
// The app's function list (app/api/inngest/functions.ts) with only the model injected; production defaults otherwise.
const functions: InngestFunction.Any[] = [
  createRunAiJob({ model: () => model.choice }),
  createSweepPendingJobs(),
  applyPageJobResultFunction,
];

// ---------------------------------------------------------------------------------------------------------------
// Observation: the live bus (the moment the page was written) and the engine's per-call log lines.

const live = {
  written: new Map<string, number>(),
  waiters: new Map<string, (at: number) => void>(),
};

/**
 * The apply step publishes { status: "succeeded" } on the in-process live bus right after it wrote the page (that is
 * what wakes the editor's stream). The bus is keyed by job id, so to see every job — including one that finishes
 * before requestPageText has returned its id — the benchmark taps the bus's emit.
 */
function tapLiveBus() {
  subscribeJobUpdates("bench-init", () => {})(); // creates the bus
  const bus = (globalThis as unknown as { __storySproutJobLive?: EventEmitter }).__storySproutJobLive;
  if (!bus) throw new Error("live bus not found");
  const emit = bus.emit.bind(bus);
  bus.emit = ((eventName: string | symbol, ...args: unknown[]) => {
    const update = args[0] as JobUpdate | undefined;
    if (update?.status === "succeeded" && !live.written.has(update.jobId)) {
      const at = clock();
      live.written.set(update.jobId, at);
      live.waiters.get(update.jobId)?.(at);
      live.waiters.delete(update.jobId);
    }
    return emit(eventName, ...args);
  }) as typeof bus.emit;
}

function pageWritten(jobId: string, timeoutMs: number): Promise<number | undefined> {
  const known = live.written.get(jobId);
  if (known !== undefined) return Promise.resolve(known);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      live.waiters.delete(jobId);
      resolve(undefined);
    }, timeoutMs);
    live.waiters.set(jobId, (at) => {
      clearTimeout(timer);
      resolve(at);
    });
  });
}

interface CallLine {
  runId: string;
  /** When the log line came (after the result was recorded). */
  at: number;
  step: string;
  prepareMs: number;
  callMs: number;
  recordMs: number;
}
const callLines: CallLine[] = [];
const logger: EngineLogger = (level, msg, fields = {}) => {
  if (msg === "inngest call") {
    callLines.push({
      runId: String(fields.runId),
      at: clock(),
      step: String(fields.step),
      prepareMs: Number(fields.prepareMs),
      callMs: Number(fields.callMs),
      recordMs: Number(fields.recordMs),
    });
  }
  if (level === "warn" || level === "error") console.error(JSON.stringify({ level, msg, ...fields }));
};

/**
 * Statements sent to PGlite (which runs in this very thread, so every statement costs the engine and the app time):
 * all of them, and those of the engine's claims — the candidate select (FOR UPDATE SKIP LOCKED) and one advisory lock
 * per concurrency key. PostgreSQL goes through postgres.js, not counted here.
 */
const statements = { all: 0, claimSelects: 0, advisoryLocks: 0 };

function countPgliteStatements(handle: DbHandle) {
  type Query = (text: string, ...rest: unknown[]) => Promise<unknown>;
  interface Client {
    query: Query;
    transaction: (fn: (tx: { query: Query }) => Promise<unknown>) => Promise<unknown>;
  }
  const client = (handle.db as unknown as { $client?: Client }).$client;
  if (handle.mode !== "pglite" || !client) return;
  const count = (text: string) => {
    statements.all++;
    if (/for update skip locked/i.test(text)) statements.claimSelects++;
    if (text.includes("pg_advisory_xact_lock")) statements.advisoryLocks++;
  };
  const wrap =
    (query: Query): Query =>
    (text, ...rest) => {
      count(text);
      return query(text, ...rest);
    };
  client.query = wrap(client.query.bind(client));
  const transaction = client.transaction.bind(client);
  client.transaction = (fn) =>
    transaction((tx) => {
      tx.query = wrap(tx.query.bind(tx));
      return fn(tx);
    });
}

// ---------------------------------------------------------------------------------------------------------------
// Statistics.

const quantile = (values: number[], q: number) => {
  const finite = values.filter((v) => Number.isFinite(v));
  if (!finite.length) return NaN;
  const sorted = [...finite].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const median = (values: number[]) => quantile(values, 0.5);
const p95 = (values: number[]) => quantile(values, 0.95);
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** The most intervals open at once, and for how long (ms) more than `limit` were (an end at t closes before a start at t). */
function maxOverlap(intervals: [number, number][], limit: number): { max: number; overMs: number } {
  const edges = intervals.flatMap(([from, to]) => [
    [from, 1],
    [to, -1],
  ]) as [number, number][];
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let max = 0;
  let overMs = 0;
  let last = 0;
  for (const [at, delta] of edges) {
    if (open > limit) overMs += at - last;
    open += delta;
    max = Math.max(max, open);
    last = at;
  }
  return { max, overMs };
}
const ms = (v: number) => (Number.isFinite(v) ? (Math.abs(v) >= 1000 ? v.toFixed(0) : v.toFixed(1)) : "–");
const mp = (values: number[]) => `${ms(median(values))} (${ms(p95(values))})`;

// ---------------------------------------------------------------------------------------------------------------
// Fixtures (the idea of tests/helpers/fixtures.ts, through the app's own domain functions).

const CONTEXT = [
  "Mara climbed the lighthouse stairs with the borrowed lantern, counting the steps as her father had taught her.",
  "At the top the lamp was cold. Tobin waited by the window and said nothing about the storm coming in from the sea.",
];

async function makeAuthor(db: DbHandle["db"]): Promise<Actor> {
  const email = `bench-${crypto.randomBytes(6).toString("hex")}@example.com`;
  const [user] = await db
    .insert(users)
    .values({ email, name: "Bench author", passwordHash: "not-a-real-hash" })
    .returning();
  return { id: user!.id, role: user!.role };
}

/** `stories` stories of two written pages followed by `perStory` blank pages; returns the blank pages' ids. */
async function makeTargets(actor: Actor, stories: number, perStory: number, label: string): Promise<string[]> {
  const targets: string[] = [];
  for (let s = 0; s < stories; s++) {
    const story = await createStory(actor, { title: `${label} ${s + 1}` });
    for (const content of CONTEXT) await addPage(actor, { storyId: story.id, content });
    for (let p = 0; p < perStory; p++) targets.push((await addPage(actor, { storyId: story.id, content: "" })).id);
  }
  return targets;
}

// ---------------------------------------------------------------------------------------------------------------
// One pass.

type PassMode = "sequential" | "concurrent";

/** The engine's calls per run, in order: each discovery call runs the next step; the last returns the result. */
const AI_STEPS = ["render", "generate", "finish", "run-ai-job returns"] as const;
const APPLY_STEPS = ["apply", "settle-parent", "apply-page-job-result returns"] as const;

interface PassResult {
  label: string;
  mode: PassMode;
  modelMs: number;
  jobs: number;
  e2e: number[];
  model: number[];
  overhead: number[];
  requestCall: number[];
  phases: { request: number[]; queue: number[]; beforeModel: number[]; afterModel: number[]; apply: number[] };
  applyQueue: number[];
  /** From inngest_runs.started_at (the claim transaction began) to the run's first call. */
  claimToCall: number[];
  slotOverhead: number[];
  callsPerJob: number[];
  criticalCallsPerJob: number[];
  bookkeepingPerJob: number[];
  serveNoModelPerJob: number[];
  waitingPerJob: number[];
  /** Per step of the two functions: engine time (load + record), time inside the call, gap before the call. */
  steps: Map<string, { engine: number[]; call: number[]; gap: number[] }>;
  seconds: number;
  /** 1-minute load average of the machine when the pass started and ended (other work on a shared machine). */
  load: [number, number];
  throughput: number;
  slotUtilisation: number;
  /** Most model calls streaming at once / most run-ai-job runs between claim and end at once, and time above the limit. */
  modelsAtOnce: { max: number; overMs: number };
  runsAtOnce: { max: number; overMs: number };
  cpuPerJobMs: number;
  /** PGlite only: statements per job, all and those of the engine's claims. */
  statementsPerJob?: { all: number; claims: number };
  checks: {
    written: number;
    succeeded: number;
    exactlyOneAiRevision: number;
    contentOk: number;
    duplicateRevisions: number;
    duplicateJobs: number;
    duplicateRuns: number;
    repeatedModelCalls: number;
    suggestions: number;
    failedRuns: number;
    lost: number;
  };
}

interface Sample {
  pageId: string;
  jobId?: string;
  tReq: number;
  tRet?: number;
  tWritten?: number;
  error?: string;
}

async function requestOne(actor: Actor, pageId: string, timeoutMs: number): Promise<Sample> {
  const sample: Sample = { pageId, tReq: clock() };
  try {
    const view = await requestPageText(actor, { pageId, instruction: `${TAG_PREFIX} ${pageId}` });
    sample.tRet = clock();
    sample.jobId = view.id;
    sample.tWritten = await pageWritten(view.id, Math.max(1, timeoutMs - (clock() - sample.tReq)));
  } catch (error) {
    sample.error = (error as Error).message;
  }
  return sample;
}

async function waitRunsEnded(handle: DbHandle, jobIds: string[], timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [row] = await handle.db
      .select({ n: sql<number>`count(*)` })
      .from(inngestRuns)
      .where(
        and(
          inArray(sql`${inngestRuns.event}->'data'->>'jobId'`, jobIds),
          inArray(inngestRuns.status, ["queued", "running"]),
        ),
      );
    if (Number(row?.n ?? 0) === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * One at a time means the next request waits until the engine is idle again: each run's last call (which only returns
 * the function's result) ends a few tens of milliseconds after the page was written, and would otherwise compete with
 * the next job.
 */
async function engineIdle(engine: EmbeddedEngine, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (engine.status.inflight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
}

async function runPass(
  engine: EmbeddedEngine,
  handle: DbHandle,
  actor: Actor,
  pageIds: string[],
  mode: PassMode,
  modelMs: number,
  label: string,
): Promise<PassResult> {
  model.setTotalMs(modelMs);
  callLines.length = 0;
  const cpuBefore = process.cpuUsage();
  const loadBefore = os.loadavg()[0]!;
  const statementsBefore = { ...statements };
  const started = clock();
  let samples: Sample[];
  if (mode === "sequential") {
    samples = [];
    for (const pageId of pageIds) {
      samples.push(await requestOne(actor, pageId, 60_000));
      await engineIdle(engine);
    }
  } else {
    samples = await Promise.all(pageIds.map((pageId) => requestOne(actor, pageId, PASS_TIMEOUT_MS)));
  }
  const cpu = process.cpuUsage(cpuBefore);
  const statementsDuring = {
    all: statements.all - statementsBefore.all,
    claims:
      statements.claimSelects +
      statements.advisoryLocks -
      statementsBefore.claimSelects -
      statementsBefore.advisoryLocks,
  };
  const finished = Math.max(...samples.map((s) => s.tWritten ?? 0));
  const seconds = (finished - started) / 1000;
  const jobIds = samples.flatMap((s) => (s.jobId ? [s.jobId] : []));
  await waitRunsEnded(handle, jobIds);
  const calls = [...callLines];

  // What the database says.
  const db = handle.db;
  const jobRows = await db
    .select({ id: aiJobs.id, targetId: aiJobs.targetId, status: aiJobs.status, attempts: aiJobs.attempts })
    .from(aiJobs)
    .where(inArray(aiJobs.targetId, pageIds));
  const revisionRows = await db
    .select({ pageId: pageRevisions.pageId, jobId: pageRevisions.jobId })
    .from(pageRevisions)
    .where(and(inArray(pageRevisions.pageId, pageIds), eq(pageRevisions.source, "ai")));
  const pageRows = await db
    .select({ id: pages.id, content: pages.content, version: pages.version })
    .from(pages)
    .where(inArray(pages.id, pageIds));
  const suggestionRows = await db
    .select({ id: pageSuggestions.id })
    .from(pageSuggestions)
    .where(inArray(pageSuggestions.pageId, pageIds));
  const runRows = jobIds.length
    ? await db
        .select({
          id: inngestRuns.id,
          functionId: inngestRuns.functionId,
          status: inngestRuns.status,
          jobId: sql<string>`${inngestRuns.event}->'data'->>'jobId'`,
          createdAt: inngestRuns.createdAt,
          startedAt: inngestRuns.startedAt,
          endedAt: inngestRuns.endedAt,
        })
        .from(inngestRuns)
        .where(inArray(sql`${inngestRuns.event}->'data'->>'jobId'`, jobIds))
    : [];
  const aiRuns = runRows.filter((r) => r.functionId.endsWith("-run-ai-job"));
  const applyRuns = runRows.filter((r) => r.functionId.endsWith("-apply-page-job-result"));
  const runOfJob = (list: typeof runRows, jobId: string) => list.filter((r) => r.jobId === jobId);
  const callsByRun = new Map<string, CallLine[]>();
  for (const c of calls) callsByRun.set(c.runId, [...(callsByRun.get(c.runId) ?? []), c]);

  const result: PassResult = {
    label,
    mode,
    modelMs,
    jobs: pageIds.length,
    e2e: [],
    model: [],
    overhead: [],
    requestCall: [],
    phases: { request: [], queue: [], beforeModel: [], afterModel: [], apply: [] },
    applyQueue: [],
    claimToCall: [],
    slotOverhead: [],
    callsPerJob: [],
    criticalCallsPerJob: [],
    bookkeepingPerJob: [],
    serveNoModelPerJob: [],
    waitingPerJob: [],
    steps: new Map(),
    seconds,
    load: [loadBefore, os.loadavg()[0]!],
    throughput: samples.filter((s) => s.tWritten).length / seconds,
    slotUtilisation: NaN,
    modelsAtOnce: { max: 0, overMs: 0 },
    runsAtOnce: { max: 0, overMs: 0 },
    cpuPerJobMs: (cpu.user + cpu.system) / 1000 / pageIds.length,
    ...(handle.mode === "pglite"
      ? {
          statementsPerJob: {
            all: statementsDuring.all / pageIds.length,
            claims: statementsDuring.claims / pageIds.length,
          },
        }
      : {}),
    checks: {
      written: samples.filter((s) => s.tWritten !== undefined).length,
      succeeded: jobRows.filter((j) => j.status === "succeeded").length,
      exactlyOneAiRevision: 0,
      contentOk: pageRows.filter((p) => p.content === answerFor(p.id) && p.version === 2).length,
      duplicateRevisions: 0,
      duplicateJobs: jobRows.length - new Set(jobRows.map((j) => j.targetId)).size,
      duplicateRuns: 0,
      repeatedModelCalls: 0,
      suggestions: suggestionRows.length,
      failedRuns: runRows.filter((r) => r.status !== "completed").length,
      lost: samples.filter((s) => s.tWritten === undefined).length,
    },
  };
  for (const s of samples) if (s.error) console.error(`request for page ${s.pageId} failed: ${s.error}`);
  for (const p of pageRows.filter((row) => row.content !== answerFor(row.id) || row.version !== 2).slice(0, 3)) {
    console.error(`page ${p.id} (version ${p.version}) holds ${JSON.stringify(p.content.slice(0, 120))}`);
  }

  const modelIntervals: [number, number][] = [];
  const runIntervals: [number, number][] = [];
  let slotHeld = 0;
  let slotFrom = Infinity;
  let slotTo = 0;
  for (const s of samples) {
    const revisions = revisionRows.filter((r) => r.pageId === s.pageId);
    if (revisions.length === 1 && revisions[0]!.jobId === s.jobId) result.checks.exactlyOneAiRevision++;
    if (revisions.length > 1) result.checks.duplicateRevisions++;
    const timing = model.timings.get(s.pageId);
    if (timing && timing.starts.length > 1) result.checks.repeatedModelCalls++;
    if (!s.jobId || s.tWritten === undefined || s.tRet === undefined || !timing) continue;
    const ai = runOfJob(aiRuns, s.jobId);
    const apply = runOfJob(applyRuns, s.jobId);
    if (ai.length > 1 || apply.length > 1) result.checks.duplicateRuns++;
    const modelTime = sum(timing.ends.map((end, i) => end - timing.starts[i]!));
    const e2e = s.tWritten - s.tReq;
    result.e2e.push(e2e);
    result.model.push(modelTime);
    result.overhead.push(e2e - modelTime);
    result.requestCall.push(s.tRet - s.tReq);
    const aiRun = ai[0];
    const applyRun = apply[0];
    // A job lands inside run-ai-job's finish step; an apply run exists only when that landing failed.
    if (!aiRun?.startedAt || !aiRun.endedAt) continue;
    const modelStart = timing.starts[0]!;
    const modelEnd = timing.ends.at(-1)!;
    const startOf = (c: CallLine) => c.at - c.recordMs - c.callMs - c.prepareMs;
    const byStart = (list: CallLine[]) => [...list].sort((a, b) => startOf(a) - startOf(b));
    const aiCalls = byStart(callsByRun.get(aiRun.id) ?? []);
    const applyCalls = applyRun ? byStart(callsByRun.get(applyRun.id) ?? []) : [];
    // "Claimed" = the run's first call began. inngest_runs.started_at is stamped when the claim transaction begins,
    // which is earlier by the claim's duration (a few ms, much more with a backlog).
    const aiClaimed = aiCalls[0] ? startOf(aiCalls[0]) : aiRun.startedAt.getTime();
    result.claimToCall.push(aiClaimed - aiRun.startedAt.getTime());
    modelIntervals.push([modelStart, modelEnd]);
    runIntervals.push([aiClaimed, aiRun.endedAt.getTime()]);
    result.phases.request.push(aiRun.createdAt.getTime() - s.tReq);
    result.phases.queue.push(aiClaimed - aiRun.createdAt.getTime());
    result.phases.beforeModel.push(modelStart - aiClaimed);
    if (applyRun?.startedAt) {
      const applyClaimed = applyCalls[0] ? startOf(applyCalls[0]) : applyRun.startedAt.getTime();
      result.phases.afterModel.push(applyRun.createdAt.getTime() - modelEnd);
      result.phases.apply.push(s.tWritten - applyRun.createdAt.getTime());
      result.applyQueue.push(applyClaimed - applyRun.createdAt.getTime());
    } else {
      result.phases.afterModel.push(s.tWritten - modelEnd);
    }
    const held = aiRun.endedAt.getTime() - aiClaimed;
    result.slotOverhead.push(held - modelTime);
    slotHeld += held;
    slotFrom = Math.min(slotFrom, aiClaimed);
    slotTo = Math.max(slotTo, aiRun.endedAt.getTime());
    // The calls on the job's critical path: run-ai-job's until the finish step queued the apply run, then the apply
    // run's until the page was written. (run-ai-job's last call, which only returns the function's result, runs
    // alongside the apply run; so does the apply run's own last call after the page was written.)
    const critical = [
      ...aiCalls.filter((c) => startOf(c) < (applyRun?.createdAt.getTime() ?? s.tWritten!)),
      ...applyCalls.filter((c) => startOf(c) < s.tWritten!),
    ];
    result.callsPerJob.push(aiCalls.length + applyCalls.length);
    result.criticalCallsPerJob.push(critical.length);
    const bookkeeping = sum(critical.map((c) => c.prepareMs + c.recordMs));
    const serveNoModel = sum(critical.map((c) => c.callMs)) - modelTime;
    result.bookkeepingPerJob.push(bookkeeping);
    result.serveNoModelPerJob.push(serveNoModel);
    // What is left of the path from "run queued" to "page written": claims, wake-ups, waiting for a slot.
    result.waitingPerJob.push(s.tWritten - aiRun.createdAt.getTime() - modelTime - bookkeeping - serveNoModel);
    // Per step: the calls of each run in order (a job whose runs made other calls, e.g. a retry, is left out).
    const perRun: [CallLine[], readonly string[], number][] = [
      [aiCalls, AI_STEPS, aiRun.startedAt.getTime()],
      ...(applyRun
        ? [[applyCalls, APPLY_STEPS, applyRun.createdAt.getTime()] as [CallLine[], readonly string[], number]]
        : []),
    ];
    for (const [list, names, from] of perRun) {
      if (list.length !== names.length) continue;
      list.forEach((c, i) => {
        const stats = result.steps.get(names[i]!) ?? { engine: [], call: [], gap: [] };
        stats.engine.push(c.prepareMs + c.recordMs);
        stats.call.push(names[i] === "generate" ? c.callMs - modelTime : c.callMs);
        stats.gap.push(startOf(c) - (i === 0 ? from : list[i - 1]!.at));
        result.steps.set(names[i]!, stats);
      });
    }
  }
  result.modelsAtOnce = maxOverlap(modelIntervals, AI_CONCURRENCY);
  result.runsAtOnce = maxOverlap(runIntervals, AI_CONCURRENCY);
  if (mode === "concurrent" && slotTo > slotFrom)
    result.slotUtilisation = slotHeld / (AI_CONCURRENCY * (slotTo - slotFrom));
  console.log(
    JSON.stringify({
      label,
      jobs: result.jobs,
      overhead: mp(result.overhead),
      e2e: mp(result.e2e),
      model: ms(median(result.model)),
      seconds: seconds.toFixed(1),
      load: result.load.map((l) => l.toFixed(1)),
      checks: result.checks,
    }),
  );
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// One database.

interface DbResult {
  db: string;
  passes: PassResult[];
  /** Events the pending-job sweeper sent again (jobs still pending after a minute); the event id dedupes them. */
  resent: number;
}

async function benchmark(label: string, handle: DbHandle): Promise<DbResult> {
  setDbHandle(handle);
  countPgliteStatements(handle);
  const served = await serveOnLoopback(functions);
  const engine = await startEmbeddedEngine({ handle, serveUrl: served.url, logger, ...(TUNED ?? {}) });
  try {
    const fixturesFrom = Date.now();
    const actor = await makeAuthor(handle.db);
    const perStorySeq = Math.min(10, SEQ_JOBS);
    const seqStories = Math.ceil(SEQ_JOBS / perStorySeq);
    const fixtures = {
      warmup: await makeTargets(actor, 1, WARMUP_JOBS, "Warm-up"),
      instantSeq: (await makeTargets(actor, seqStories, perStorySeq, "Instant, sequential")).slice(0, SEQ_JOBS),
      instantConc: await makeTargets(actor, STORIES, PAGES_PER_STORY, "Instant, concurrent"),
      slowSeq: (await makeTargets(actor, seqStories, perStorySeq, "Slow, sequential")).slice(0, SEQ_JOBS),
      slowConc: await makeTargets(actor, STORIES, PAGES_PER_STORY, "Slow, concurrent"),
    };
    console.log(`${label}: fixtures made in ${((Date.now() - fixturesFrom) / 1000).toFixed(1)} s`);
    // Warm-up (JIT, first calls, connection pools): not measured.
    await runPass(engine, handle, actor, fixtures.warmup, "sequential", 0, `${label} warm-up`);
    const passes = [
      await runPass(
        engine,
        handle,
        actor,
        fixtures.instantSeq,
        "sequential",
        0,
        `${label}: instant model, one at a time`,
      ),
      await runPass(
        engine,
        handle,
        actor,
        fixtures.instantConc,
        "concurrent",
        0,
        `${label}: instant model, all at once`,
      ),
      await runPass(
        engine,
        handle,
        actor,
        fixtures.slowSeq,
        "sequential",
        MODEL_MS,
        `${label}: ${MODEL_MS} ms model, one at a time`,
      ),
      await runPass(
        engine,
        handle,
        actor,
        fixtures.slowConc,
        "concurrent",
        MODEL_MS,
        `${label}: ${MODEL_MS} ms model, all at once`,
      ),
    ];
    const sweeps = await handle.db
      .select({ output: inngestRuns.output })
      .from(inngestRuns)
      .where(and(sql`${inngestRuns.functionId} like '%-sweep-pending-ai-jobs'`, eq(inngestRuns.status, "completed")));
    return { db: label, passes, resent: sum(sweeps.map((r) => Number(r.output) || 0)) };
  } finally {
    await stopEmbeddedEngine(5000);
    await served.close();
    setDbHandle(undefined);
  }
}

async function withPglite(): Promise<DbResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-gen-"));
  const handle = await openPglite(path.join(dir, "pglite"));
  try {
    await runMigrations(handle);
    return await benchmark("PGlite (directory)", handle);
  } finally {
    await handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function withPostgres(baseUrl: string): Promise<DbResult | string> {
  try {
    return await withFreshPostgres(baseUrl, "bench_gen", benchmark);
  } catch (error) {
    if (error instanceof PostgresUnreachable) return `skipped: ${error.message}`;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Report.

/** Where the time of one job goes, call by call, in the one-at-a-time passes. */
function stepTable(r: DbResult): string[] {
  const seq = r.passes.filter((p) => p.mode === "sequential");
  const head = seq.map((p) => (p.modelMs ? `${p.modelMs} ms model` : "instant model"));
  const cell = (p: PassResult, name: string) => {
    const st = p.steps.get(name);
    if (!st) return "– | – | –";
    return `${ms(median(st.gap))} | ${ms(median(st.engine))} | ${ms(median(st.call))}`;
  };
  return [
    `Call by call, one job at a time (${r.db}; medians in ms): *gap* = from the previous call's end (or the run being`,
    "claimed / queued) to this call's start, *engine* = loading run state + recording the result, *call* = the signed",
    "HTTP call to the serve handler: SDK replay and the step body (for generate, minus the model's time).",
    "",
    `| Call | ${head.map((h) => `${h}: gap | engine | call`).join(" | ")} |`,
    `|---|${head.map(() => "---|---|---").join("|")}|`,
    ...[...AI_STEPS, ...APPLY_STEPS].map((name) => `| ${name} | ${seq.map((p) => cell(p, name)).join(" | ")} |`),
    "",
  ];
}

function passTable(r: DbResult): string[] {
  const [iSeq, iConc, sSeq, sConc] = r.passes as [PassResult, PassResult, PassResult, PassResult];
  const cols = [iSeq, iConc, sSeq, sConc];
  const row = (name: string, f: (p: PassResult) => string) => `| ${name} | ${cols.map(f).join(" | ")} |`;
  const check = (p: PassResult) => {
    const c = p.checks;
    const ok =
      c.written === p.jobs &&
      c.succeeded === p.jobs &&
      c.exactlyOneAiRevision === p.jobs &&
      c.contentOk === p.jobs &&
      c.duplicateRevisions +
        c.duplicateJobs +
        c.duplicateRuns +
        c.repeatedModelCalls +
        c.suggestions +
        c.failedRuns +
        c.lost ===
        0;
    return ok ? `✅ ${c.succeeded}/${p.jobs}` : `❌ ${JSON.stringify(c)}`;
  };
  return [
    `### ${r.db}`,
    "",
    `| | instant model, one at a time | instant model, ${iConc.jobs} at once | ${MODEL_MS} ms model, one at a time | ${MODEL_MS} ms model, ${sConc.jobs} at once |`,
    "|---|---|---|---|---|",
    row("Jobs", (p) => String(p.jobs)),
    row("**Overhead** = end-to-end − model (ms)", (p) => `**${mp(p.overhead)}**`),
    row("End-to-end: request → page written (ms)", (p) => mp(p.e2e)),
    row("Model's own time (ms)", (p) => ms(median(p.model))),
    row("requestPageText call itself (ms)", (p) => mp(p.requestCall)),
    row("¹ request → run queued (ms)", (p) => mp(p.phases.request)),
    row("¹ run queued → its first call (waiting for a slot, claim) (ms)", (p) => mp(p.phases.queue)),
    row("… of which the claim: claim transaction began → first call (ms)", (p) => mp(p.claimToCall)),
    row("¹ first call → model called (render, generate setup) (ms)", (p) => mp(p.phases.beforeModel)),
    row("¹ model done → page written by finish (or → apply run queued, when finish could not land) (ms)", (p) =>
      mp(p.phases.afterModel),
    ),
    row("¹ apply run queued → page written (only jobs finish could not land) (ms)", (p) => mp(p.phases.apply)),
    row("… of which the apply run waited for its first call (ms)", (p) => mp(p.applyQueue)),
    row("Slot held beyond model time: run's first call → run ended, − model (ms)", (p) => mp(p.slotOverhead)),
    row(
      "² Engine calls per job (run-ai-job + apply), of which on the critical path",
      (p) => `${median(p.callsPerJob)}, ${median(p.criticalCallsPerJob)}`,
    ),
    row("² … engine bookkeeping on the critical path: load state + record result (ms)", (p) =>
      ms(median(p.bookkeepingPerJob)),
    ),
    row("² … inside the calls, model excluded: SDK, HTTP, step bodies (ms)", (p) => ms(median(p.serveNoModelPerJob))),
    row("² … between calls: claims, wake-ups, waiting for a slot (ms)", (p) => ms(median(p.waitingPerJob))),
    row("Throughput (jobs / s)", (p) => p.throughput.toFixed(2)),
    row("Pass wall time (s)", (p) => p.seconds.toFixed(1)),
    row(
      `Most model calls streaming at once / run-ai-job runs between first call and end (limit ${AI_CONCURRENCY})`,
      (p) =>
        `${p.modelsAtOnce.max} / ${p.runsAtOnce.max}${p.runsAtOnce.overMs > 0 ? ` (above ${AI_CONCURRENCY} for ${ms(p.runsAtOnce.overMs)} ms)` : ""}`,
    ),
    row(`Concurrency-slot utilisation: Σ(first call → run ended) / (${AI_CONCURRENCY} × pass span)`, (p) =>
      Number.isFinite(p.slotUtilisation) ? `${(p.slotUtilisation * 100).toFixed(0)} %` : "–",
    ),
    row("Process CPU per job (ms) ³", (p) => ms(p.cpuPerJobMs)),
    row(
      "PGlite statements per job: all, of which the engine's claims (candidate select + one advisory lock per key) ⁴",
      (p) =>
        p.statementsPerJob ? `${p.statementsPerJob.all.toFixed(0)}, ${p.statementsPerJob.claims.toFixed(0)}` : "–",
    ),
    row(
      "Machine load average (1 min) at start → end of the pass",
      (p) => `${p.load[0].toFixed(1)} → ${p.load[1].toFixed(1)}`,
    ),
    row("All succeeded, exactly one AI revision each, nothing lost or duplicated", check),
    "",
    r.resent
      ? `The pending-job sweeper re-sent ${r.resent} job events (jobs still queued after a minute);` +
        " the event id is the job id, so none started a second run."
      : "The pending-job sweeper re-sent no job events.",
    "",
    ...stepTable(r),
  ];
}

function verdict(results: DbResult[]): string[] {
  return results.map((r) => {
    const seq = r.passes.filter((p) => p.mode === "sequential");
    const parts = seq.map((p) => {
      const m = median(p.overhead);
      return `${ms(m)} ms with the ${p.modelMs ? `${p.modelMs} ms` : "instant"} model (${m < 100 ? "under" : "over"} 100 ms)`;
    });
    const met = seq.every((p) => median(p.overhead) < 100);
    const none = seq.every((p) => median(p.overhead) >= 100);
    return `- ${r.db}, one job at a time: median overhead ${parts.join(", ")} — aim of < 100 ms ${met ? "**met**" : none ? "**not met**" : "**not reliably met** (one pass over)"}.`;
  });
}

/** A short reading of the figures, computed from them (so that it stays true when the benchmark is run again). */
function interpretation(results: DbResult[]): string[] {
  const lines: string[] = ["## Interpretation", ""];
  for (const r of results) {
    const [iSeq, iConc, sSeq, sConc] = r.passes as [PassResult, PassResult, PassResult, PassResult];
    const stepMedian = (name: string) =>
      median(iSeq.steps.get(name)?.call ?? []) + median(iSeq.steps.get(name)?.engine ?? []);
    const criticalSteps = ["render", "generate", "finish"];
    const slowest = [...criticalSteps].sort((a, b) => stepMedian(b) - stepMedian(a)).slice(0, 3);
    const queueShare = (p: PassResult) => (100 * median(p.phases.queue)) / median(p.overhead);
    lines.push(
      `- **${r.db}, one at a time** (instant model): ${ms(median(iSeq.overhead))} ms = request ${ms(median(iSeq.phases.request))} ms` +
        ` (payload, job row, event) + ${median(iSeq.criticalCallsPerJob)} engine calls in a row on the critical path` +
        ` (${ms(median(iSeq.serveNoModelPerJob))} ms inside the calls, ${ms(median(iSeq.bookkeepingPerJob))} ms of engine` +
        ` bookkeeping) + one claim (${ms(median(iSeq.claimToCall))} ms; the job lands inside finish). Waiting is` +
        ` negligible: this is per-step cost, ~${ms(median(iSeq.overhead) / median(iSeq.criticalCallsPerJob))} ms per step.` +
        ` The dearest calls (engine + call, median): ${slowest.map((n) => `${n} ${ms(stepMedian(n))} ms`).join(", ")}.`,
      `- **${r.db}, ${iConc.jobs} at once**: the overhead is queueing — waiting for one of the ${AI_CONCURRENCY} slots is` +
        ` ${queueShare(iConc).toFixed(0)} % (instant) and ${queueShare(sConc).toFixed(0)} % (${MODEL_MS} ms model) of the median` +
        ` overhead. The queue drains at ${iConc.throughput.toFixed(1)} and ${sConc.throughput.toFixed(1)} jobs/s: a slot is held` +
        ` for the model plus ${ms(median(iConc.slotOverhead))} / ${ms(median(sConc.slotOverhead))} ms (${ms(median(iSeq.slotOverhead))} /` +
        ` ${ms(median(sSeq.slotOverhead))} ms one at a time)` +
        (iConc.statementsPerJob && iSeq.statementsPerJob
          ? `; per-step work slows down under load because everything, PGlite included, shares one thread` +
            ` (${ms(iConc.cpuPerJobMs)} ms CPU per job, ${iConc.throughput.toFixed(1)} jobs/s ≈ ${((iConc.cpuPerJobMs * iConc.throughput) / 10).toFixed(0)} % of a core)` +
            ` and the backlog itself costs work: ${iConc.statementsPerJob.all.toFixed(0)} statements per job instead of` +
            ` ${iSeq.statementsPerJob.all.toFixed(0)}, ${iConc.statementsPerJob.claims.toFixed(0)} of them in claims re-examining blocked jobs`
          : `; claims take ${ms(median(iConc.claimToCall))} ms (p95 ${ms(p95(iConc.claimToCall))}) with the backlog instead of` +
            ` ${ms(median(iSeq.claimToCall))} ms`) +
        `. Slot utilisation ${Number.isFinite(iConc.slotUtilisation) ? (iConc.slotUtilisation * 100).toFixed(0) : "–"} % /` +
        ` ${Number.isFinite(sConc.slotUtilisation) ? (sConc.slotUtilisation * 100).toFixed(0) : "–"} % (a freed slot wakes the` +
        ` oldest job parked on it at once).`,
    );
  }
  lines.push(
    "- One at a time, the overhead is per-call cost (SDK replay, signed HTTP, step bodies) rather than waiting: what",
    "  lowers it is fewer calls on the critical path, not faster polling. Under a burst, the limit of",
    "  AI_CONCURRENCY sets the pace: raise it if the provider allows.",
    "",
  );
  return lines;
}

function report(
  results: (DbResult | string)[],
  production: NextResult | string | undefined,
  command: string,
  seconds: number,
): string {
  const rows = results.filter((r): r is DbResult => typeof r !== "string");
  const skipped = results.filter((r): r is string => typeof r === "string");
  return [
    `# Page generation benchmark${TUNED ? ` — TUNED engine timing ${JSON.stringify(TUNED)}` : ""}`,
    "",
    `Run from ${STARTED_AT.toISOString()} to ${new Date().toISOString()} with \`${command}\` (${seconds.toFixed(0)} s in all).`,
    "",
    `Machine load average (1, 5, 15 min): ${LOAD_AT_START} at start → ${loadavg()} at end (per pass below).`,
    "",
    `Machine: ${machineWithVersions()}. A shared, noisy machine: take single figures with a grain of salt.`,
    "",
    "## What is measured",
    "",
    "Per job, **end-to-end** = from calling `requestPageText(actor, { pageId })` to the page written (the apply step has",
    "written the `ai` revision and announced it on the live bus, which is what wakes the editor). The **model's own time**",
    "is measured inside the injected model, from its `doStream` call to the end of its stream. **Overhead** = end-to-end −",
    "model time: everything the orchestration adds (ledger writes, the engine, the serve handler, the SDK, prompt",
    "rendering, writing the page).",
    "",
    "Configuration, as in production: the app's real `run-ai-job` (only the model injected; retries 3, concurrency 1 per",
    `page and **AI_CONCURRENCY = ${AI_CONCURRENCY}** globally, flush of partial text every 200 ms), \`apply-page-job-result\` and the`,
    "pending-job sweeper, served by the real `serve()` handler on loopback HTTP in the same Node process as the embedded",
    `engine, which runs with ${TUNED ? `TUNED timing ${JSON.stringify(TUNED)}` : "its production timing defaults (16 workers, idle poll 1000 ms, parked runs woken when a slot frees, 5 s safety re-check, 30 s leases)"}.`,
    "Models: *instant* (the whole answer at once) and one that streams 11 words evenly over",
    `${MODEL_MS} ms. Passes: one job at a time (${SEQ_JOBS} jobs; the next is requested once the page is written and the`,
    `engine idle again) and ${CONC_JOBS} jobs requested at once (${STORIES} stories × ${PAGES_PER_STORY} blank pages; each story also`,
    "has two written pages, and every prompt carries the whole story).",
    `${WARMUP_JOBS} warm-up jobs per database are not counted. Databases: PGlite in a temporary directory (the embedded`,
    "default), and PostgreSQL 127.0.0.1 in a fresh database created and dropped for the run (when DATABASE_URL is set).",
    "",
    "## Result",
    "",
    ...verdict(rows),
    "",
    "Medians, p95 in brackets.",
    "",
    ...rows.flatMap(passTable),
    ...(skipped.length ? [...skipped.map((s) => `PostgreSQL ${s}`), ""] : []),
    ...(production === undefined ? [] : productionReport(production)),
    "¹ The job's critical path, cut where the run was queued (`inngest_runs.created_at`), where its first call began",
    "(engine log), where the model was called and finished, and where finish wrote the page (an apply run is queued only",
    "when finish could not land): the rows add up to end-to-end (medians do not). Request → run queued includes building the prompt payload, writing the job row and",
    "sending the event. The engine stamps `inngest_runs.started_at` when the claim transaction *begins*; the row",
    '"claim transaction began → first call" shows how long claims take (with a backlog: the advisory locks and rechecks',
    "of ⁴).",
    "",
    "² From the engine's per-call log lines. Calls per job: all of the job's runs, and those on its critical path",
    "(run-ai-job's up to the page write inside finish; the run's last call, which only",
    'returns the function\'s result, runs beside it). On that path, from "run queued" to "page written": the engine\'s',
    "time loading run state and recording results, the time inside the calls (SDK replay, signed HTTP, step bodies:",
    "ledger writes, prompt rendering, page write — model excluded), and the rest: waiting for a claim, a wake-up or a",
    "concurrency slot. Calls overlap a little, so the three rows add up to that path only approximately.",
    "",
    "³ CPU of the one Node process (engine, serve handler, app code and, for PGlite, the database) divided by the jobs;",
    "PostgreSQL's own CPU is not included.",
    "",
    "⁴ Counted at the PGlite client (PGlite runs in the same thread as everything else). A job blocked by a concurrency",
    "limit is looked at again by every claim that reaches it, each look taking one advisory lock per distinct key in the",
    "claim window — with a backlog this is work the engine does while waiting, not work for the job.",
    "",
    ...interpretation(rows),
  ].join("\n");
}

// ---------------------------------------------------------------------------------------------------------------

const began = Date.now();
tapLiveBus();
const only = process.env.BENCH_ONLY;
const results: (DbResult | string)[] = [];
if (!only || only === "pglite") results.push(await withPglite());
const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
if (!only || only === "postgres") {
  results.push(pgUrl ? await withPostgres(pgUrl) : "skipped: DATABASE_URL is not set.");
}
// The production path runs a `next start` of its own (tuned engine timing does not apply to it).
const production = (!only || only === "next") && !TUNED ? await productionPath() : undefined;
const envShown = [
  "DATABASE_URL",
  "BENCH_SEQ_JOBS",
  "BENCH_JOBS",
  "BENCH_STORIES",
  "BENCH_MODEL_MS",
  "BENCH_ONLY",
  "BENCH_NEXT_SEQ_JOBS",
  "BENCH_NEXT_JOBS",
  "BENCH_NEXT_STORIES",
  "BENCH_SKIP_BUILD",
  "BENCH_ENGINE_TIMING",
  "AI_CONCURRENCY",
]
  .filter((n) => process.env[n] !== undefined)
  .map((n) => `${n}=${n === "DATABASE_URL" ? redactUrl(process.env[n]!) : process.env[n]}`);
const command = [...envShown, "npm run bench:generation"].join(" ");
const markdown = report(results, production, command, (Date.now() - began) / 1000);
console.log(`\n${markdown}`);
if (!TUNED) {
  fs.mkdirSync("bench/results", { recursive: true });
  fs.writeFileSync("bench/results/generation.md", markdown);
  console.log("Written to bench/results/generation.md");
}
const bad =
  (production !== undefined && productionFailed(production)) ||
  results.some(
    (r) =>
      typeof r !== "string" &&
      r.passes.some((p) => {
        const c = p.checks;
        return (
          c.succeeded !== p.jobs ||
          c.exactlyOneAiRevision !== p.jobs ||
          c.contentOk !== p.jobs ||
          c.lost > 0 ||
          c.duplicateRevisions > 0 ||
          c.duplicateRuns > 0
        );
      }),
  );
process.exit(bad ? 1 : 0);
