/**
 * Embedded Inngest engine benchmark (`npm run bench:engine`).
 *
 * For each database (PGlite in a temporary directory; PostgreSQL at BENCH_DATABASE_URL or DATABASE_URL, else
 * postgres://postgres@127.0.0.1:5432/postgres, in a fresh database) it serves a 3-step function with no-op steps
 * through the real serve() handler on loopback and drives it with the engine, in one process as in the app:
 *   1. latency: 20 runs one after the other; per-step overhead = time between the end of one step body and the
 *      start of the next (record result, queue, claim, signed call, SDK replay);
 *   2. throughput: 500 events in one send; completed runs per second, per-step overhead under load, and checks that
 *      every run completed with each step executed exactly once.
 * Then the production path: the built app under `next start` (built first when .next is missing or stale;
 * BENCH_SKIP_BUILD=1 skips that), whose own engine runs the same function through a Next route (see withNextStart),
 * PostgreSQL only. BENCH_ONLY=pglite|postgres|next runs one of the three.
 * Results go to bench/results/engine.md (medians; timings on shared machines are noisy), with the date, the command
 * and the machine's load at start and end.
 *
 * BENCH_CALLS=compare instead compares how the engine reaches the serve handler, in one run on the same database:
 * the signed call handed to the handler in-process (`localServe`, as the app does under `next start`) against the
 * same call over loopback HTTP, interleaved round by round (see compareCalls); results to bench/results/engine-calls.md.
 * BENCH_CALLS=in-process runs the benchmark above with in-process calls only (for a CPU profile of that path).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, count, eq, sql } from "drizzle-orm";
import postgres from "postgres";
import type { DbHandle } from "@/db";
import { openPglite, openPostgres } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { inngest } from "@/lib/inngest/client";
import { processEngine, type LocalServeHandler } from "@/lib/inngest/embedded";
import {
  callApp,
  inngestFunctions,
  inngestRuns,
  startEmbeddedEngine,
  stopEmbeddedEngine,
} from "@/lib/inngest/embedded/testing";
import { localServeHandler } from "@/lib/inngest/serve";
import { serveFunctions } from "../../tests/engine/serve-functions";
import { PostgresUnreachable, withFreshPostgres } from "../shared/bench-db";
import { ensureBuild, loadavg, machine, startNext } from "../shared/next-app";

const RUNS = Number(process.env.BENCH_RUNS ?? 500);
/** Other load on the machine when the benchmark started and ended (it shares 2 cores with other work here). */
const LOAD_AT_START = loadavg();
const STARTED_AT = new Date();
const LATENCY_RUNS = 20;
const WORKERS = Number(process.env.BENCH_WORKERS ?? 16);

/** Per run: when each step body started and ended (ms, performance.now()). */
const marks = new Map<string, { start: number; end: number }[]>();
const executions = new Map<string, number>();

const noop = inngest.createFunction(
  { id: "bench-noop", triggers: [{ event: "bench/noop" }] },
  async ({ runId, step }) => {
    for (const name of ["s1", "s2", "s3"]) {
      await step.run(name, () => {
        const start = performance.now();
        const key = `${runId}:${name}`;
        executions.set(key, (executions.get(key) ?? 0) + 1);
        const list = marks.get(runId) ?? [];
        list.push({ start, end: performance.now() });
        marks.set(runId, list);
      });
    }
  },
);

const quantile = (values: number[], q: number) => {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const fmt = (ms: number) => ms.toFixed(1);

function stepGaps(runIds: Iterable<string>): number[] {
  const gaps: number[] = [];
  for (const id of runIds) {
    const list = marks.get(id) ?? [];
    for (let i = 1; i < list.length; i++) gaps.push(list[i]!.start - list[i - 1]!.end);
  }
  return gaps;
}

/**
 * The same signed request the engine sends for the middle step of a run (s1 memoized, the SDK replays it and runs
 * s2), made directly 200 times: what a step costs in the SDK and over HTTP, without the engine.
 */
async function sdkBaseline(serveUrl: string, localServe?: LocalServeHandler): Promise<number> {
  const event = { name: "bench/noop", data: {}, id: "01BENCH", ts: Date.now() };
  const s1 = crypto.createHash("sha1").update("s1").digest("hex"); // the SDK's id for step "s1"
  const durations: number[] = [];
  for (let i = 0; i < 220; i++) {
    const started = performance.now();
    const { outcome } = await callApp({
      serveUrl,
      functionId: "story-sprout-bench-noop",
      stepId: "step",
      body: {
        event,
        events: [event],
        steps: { [s1]: { data: null } },
        ctx: {
          run_id: `baseline-${i}`,
          attempt: 0,
          max_attempts: 4,
          disable_immediate_execution: false,
          use_api: false,
          stack: { stack: [s1], current: 0 },
        },
        version: 2,
      },
      signingKey: processEngine()!.keys!.signingKey,
      timeoutMs: 10_000,
      ...(localServe ? { localServe } : {}),
    });
    if (outcome.kind !== "ops") throw new Error(`baseline call failed: ${JSON.stringify(outcome)}`);
    if (i >= 20) durations.push(performance.now() - started);
  }
  marks.clear();
  executions.clear();
  return quantile(durations, 0.5);
}

/** Completed runs of the throughput phase (their events carry data.i). */
async function completedLoadRuns(handle: DbHandle): Promise<number> {
  const [row] = await handle.db
    .select({ n: count() })
    .from(inngestRuns)
    .where(and(eq(inngestRuns.status, "completed"), sql`${inngestRuns.event}->'data'->>'i' is not null`));
  return Number(row?.n ?? 0);
}

/**
 * Runs completed so far, counted from the engine's "run completed" log line: waiting on it costs nothing, where
 * polling the database would compete with the engine (PGlite runs in this very thread).
 */
let completedRuns = 0;
let onCompleted: (() => void) | undefined;

async function waitCompleted(target: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (completedRuns < target) {
    if (Date.now() > deadline) throw new Error(`Timed out: ${completedRuns} of ${target} runs completed`);
    await new Promise<void>((resolve) => {
      onCompleted = resolve;
      setTimeout(resolve, 1000);
    });
  }
}

interface Result {
  db: string;
  /** One signed call straight to the serve handler, no engine: the SDK's and HTTP's share of a step (NaN: not measured). */
  sdkCallMedian: number;
  latencyGapMedian: number;
  latencyGapP95: number;
  latencyRunMedian: number;
  loadGapMedian: number;
  loadGapP95: number;
  runsPerSecond: number;
  /** Process CPU (engine + app + PGlite; not the PostgreSQL server) per step under load. */
  cpuPerStepMs: number;
  stepsPerSecond: number;
  totalSeconds: number;
  completedRuns: number;
  stepExecutions: number;
  duplicates: number;
  failed: number;
}

async function benchmark(label: string, handle: DbHandle): Promise<Result> {
  marks.clear();
  executions.clear();
  completedRuns = 0;
  const served = await serveFunctions([noop]);
  // BENCH_CALLS=in-process: the engine hands its calls to the handler in-process (e.g. to profile that path alone).
  const localServe = process.env.BENCH_CALLS === "in-process" ? localServeHandler([noop]) : undefined;
  await startEmbeddedEngine({
    handle,
    serveUrl: served.url,
    ...(localServe ? { localServe } : {}),
    workers: WORKERS,
    logger: (level, msg, fields) => {
      if (msg === "inngest run completed") {
        completedRuns++;
        onCompleted?.();
      }
      if (level === "warn" || level === "error") console.error(JSON.stringify({ level, msg, ...fields }));
    },
  });
  try {
    const sdkCallMedian = await sdkBaseline(served.url, localServe);
    // Warm-up (JIT, connection pools), not measured.
    await inngest.send(Array.from({ length: 20 }, () => ({ name: "bench/noop", data: {} })));
    await waitCompleted(20, 60_000);
    marks.clear();
    executions.clear();

    const runDurations: number[] = [];
    for (let i = 0; i < LATENCY_RUNS; i++) {
      const before = performance.now();
      await inngest.send({ name: "bench/noop", data: {} });
      await waitCompleted(21 + i, 30_000);
      runDurations.push(performance.now() - before);
    }
    const latencyRuns = [...marks.keys()];
    const latencyGaps = stepGaps(latencyRuns);
    marks.clear();
    executions.clear();

    const base = completedRuns;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await inngest.send(Array.from({ length: RUNS }, (_, i) => ({ name: "bench/noop", data: { i } })));
    await waitCompleted(base + RUNS, 300_000);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    await new Promise((r) => setTimeout(r, 300));

    const [failedRow] = await handle.db
      .select({ n: count() })
      .from(inngestRuns)
      .where(eq(inngestRuns.status, "failed"));
    const loadGaps = stepGaps(marks.keys());
    const result: Result = {
      db: label,
      sdkCallMedian,
      latencyGapMedian: quantile(latencyGaps, 0.5),
      latencyGapP95: quantile(latencyGaps, 0.95),
      latencyRunMedian: quantile(runDurations, 0.5),
      loadGapMedian: quantile(loadGaps, 0.5),
      loadGapP95: quantile(loadGaps, 0.95),
      runsPerSecond: RUNS / seconds,
      cpuPerStepMs: (cpu.user + cpu.system) / 1000 / (RUNS * 3),
      stepsPerSecond: (RUNS * 3) / seconds,
      totalSeconds: seconds,
      completedRuns: await completedLoadRuns(handle),
      stepExecutions: [...executions.values()].reduce((a, b) => a + b, 0),
      duplicates: [...executions.values()].filter((n) => n > 1).length,
      failed: Number(failedRow?.n ?? 0),
    };
    console.log(JSON.stringify(result));
    return result;
  } finally {
    await stopEmbeddedEngine(5000);
    await served.close();
  }
}

async function withPglite<T>(bench: (label: string, handle: DbHandle) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-engine-"));
  const handle = await openPglite(path.join(dir, "pglite"));
  try {
    await runMigrations(handle);
    return await bench("PGlite (directory)", handle);
  } finally {
    await handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function withPostgres<T>(bench: (label: string, handle: DbHandle) => Promise<T>): Promise<T | string> {
  const baseUrl =
    process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  try {
    return await withFreshPostgres(baseUrl, "ss_bench_engine", bench, { max: 10 });
  } catch (error) {
    if (error instanceof PostgresUnreachable) return `skipped: ${error.message}`;
    throw error;
  }
}

/** One phase of the comparison: per-step overhead one run at a time, then RUNS runs at once. */
interface CallsPhase {
  gapMedian: number;
  gapP95: number;
  runsPerSecond: number;
  loadGapMedian: number;
  cpuPerStepMs: number;
  duplicates: number;
  lost: number;
}

async function callsPhase(handle: DbHandle, serveUrl: string, localServe: LocalServeHandler | undefined) {
  marks.clear();
  executions.clear();
  completedRuns = 0;
  await startEmbeddedEngine({
    handle,
    serveUrl,
    ...(localServe ? { localServe } : {}),
    workers: WORKERS,
    logger: (level, msg, fields) => {
      if (msg === "inngest run completed") {
        completedRuns++;
        onCompleted?.();
      }
      if (level === "warn" || level === "error") console.error(JSON.stringify({ level, msg, ...fields }));
    },
  });
  try {
    await inngest.send(Array.from({ length: 20 }, () => ({ name: "bench/noop", data: {} })));
    await waitCompleted(20, 60_000);
    marks.clear();
    executions.clear();
    for (let i = 0; i < LATENCY_RUNS; i++) {
      await inngest.send({ name: "bench/noop", data: {} });
      await waitCompleted(21 + i, 30_000);
    }
    const gaps = stepGaps(marks.keys());
    marks.clear();
    executions.clear();
    const base = completedRuns;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await inngest.send(Array.from({ length: RUNS }, (_, i) => ({ name: "bench/noop", data: { i } })));
    await waitCompleted(base + RUNS, 300_000);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const counts = [...executions.values()];
    return {
      gapMedian: quantile(gaps, 0.5),
      gapP95: quantile(gaps, 0.95),
      runsPerSecond: RUNS / seconds,
      loadGapMedian: quantile(stepGaps(marks.keys()), 0.5),
      cpuPerStepMs: (cpu.user + cpu.system) / 1000 / (RUNS * 3),
      duplicates: counts.filter((n) => n > 1).length,
      lost: RUNS * 3 - counts.length,
    } satisfies CallsPhase;
  } finally {
    await stopEmbeddedEngine(5000);
  }
}

const COMPARE_ROUNDS = Number(process.env.BENCH_COMPARE_ROUNDS ?? 3);

/**
 * The in-process handler against loopback HTTP, on one database in one process: the bare signed call (alternating
 * call by call), then COMPARE_ROUNDS rounds of a whole engine phase each way, the order flipped every round so that
 * neither always runs first (warmer JIT) or last (fuller tables). Medians over the rounds; ratios HTTP / in-process.
 */
async function compareCalls(label: string, handle: DbHandle): Promise<string[]> {
  const served = await serveFunctions([noop]);
  const localServe = localServeHandler([noop]);
  try {
    // The bare calls need the engine's keys (and the client attached): start one that syncs, then call directly.
    await startEmbeddedEngine({ handle, serveUrl: served.url, workers: 1, logger: () => {} });
    const bare = { http: [] as number[], local: [] as number[] };
    try {
      for (let round = 0; round < 5; round++) {
        bare.http.push(await sdkBaseline(served.url));
        bare.local.push(await sdkBaseline(served.url, localServe));
      }
    } finally {
      await stopEmbeddedEngine(5000);
    }
    const phases = { http: [] as CallsPhase[], local: [] as CallsPhase[] };
    for (let round = 0; round < COMPARE_ROUNDS; round++) {
      const order: ("http" | "local")[] = round % 2 ? ["local", "http"] : ["http", "local"];
      for (const mode of order) {
        const phase = await callsPhase(handle, served.url, mode === "local" ? localServe : undefined);
        console.log(JSON.stringify({ db: label, round, mode, ...phase }));
        phases[mode].push(phase);
      }
    }
    const med = (mode: "http" | "local", f: (p: CallsPhase) => number) => quantile(phases[mode].map(f), 0.5);
    const row = (name: string, f: (p: CallsPhase) => number, digits = 1, higherIsBetter = false) => {
      const h = med("http", f);
      const l = med("local", f);
      const ratio = higherIsBetter ? l / h : h / l;
      return `| ${name} | ${h.toFixed(digits)} | ${l.toFixed(digits)} | ${ratio.toFixed(2)} |`;
    };
    const bareHttp = quantile(bare.http, 0.5);
    const bareLocal = quantile(bare.local, 0.5);
    const sum = (mode: "http" | "local", f: (p: CallsPhase) => number) => phases[mode].reduce((a, p) => a + f(p), 0);
    return [
      `## ${label}`,
      "",
      "| | loopback HTTP | in-process | gain (×) |",
      "|---|---|---|---|",
      `| Bare signed call to the serve handler, no engine (ms, median) | ${fmt(bareHttp)} | ${fmt(bareLocal)} | ${(bareHttp / bareLocal).toFixed(2)} |`,
      row("Per-step overhead, one run at a time (ms, median)", (p) => p.gapMedian),
      row("… p95 (ms)", (p) => p.gapP95),
      row(`Per-step overhead with ${RUNS} runs in flight (ms, median)`, (p) => p.loadGapMedian),
      row(`${RUNS} concurrent runs: completed runs / s`, (p) => p.runsPerSecond, 1, true),
      row("Process CPU per step under load (ms)", (p) => p.cpuPerStepMs, 2),
      `| Duplicated / lost step executions (all rounds) | ${sum("http", (p) => p.duplicates)} / ${sum("http", (p) => p.lost)} | ${sum("local", (p) => p.duplicates)} / ${sum("local", (p) => p.lost)} | |`,
      "",
    ];
  } finally {
    await served.close();
  }
}

function compareReport(sections: string[]): string {
  return [
    "# Embedded engine: serve handler in-process vs loopback HTTP",
    "",
    `Run with \`BENCH_CALLS=compare npm run bench:engine\` at ${new Date().toISOString()}: Node ${process.version}, ` +
      `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? "CPU"}; engine workers = ${WORKERS}; ` +
      `${COMPARE_ROUNDS} rounds each way, interleaved; load average (1, 5, 15 min) ${LOAD_AT_START} at start, ` +
      `${loadavg()} at end.`,
    "",
    "The same 3-step no-op function and the same signed requests, served by the real `serve()` handler: over a",
    "loopback socket (inngest/node, as the tests serve it), or handed to the handler in the engine's process (inngest/",
    "next's handler called with a WHATWG Request, as the app does under `next start`). Gain = HTTP / in-process for",
    "times, in-process / HTTP for runs per second. Medians over the rounds; timings on shared machines are noisy.",
    "",
    ...sections,
  ].join("\n");
}

/**
 * The production path: the built app under `next start`, its own embedded engine (production defaults) running the
 * same no-op function (app/api/bench/noop-function.ts, served by the app's /api/inngest while the bench routes are on)
 * through the in-process serve handler, as every job runs; `calls: "http"` turns that off, so the same call goes over
 * the loopback socket and through Next's router (the path before in-process calls). Events are sent through the
 * app's client by /api/bench/engine, which also returns the step timings and the server's CPU time. Runs completed
 * are counted in the database (PostgreSQL only: the server holds a PGlite database alone). Gated routes:
 * STORY_SPROUT_BENCH_ROUTES=1.
 */
async function withNextStart(calls: "in-process" | "http"): Promise<Result | string> {
  const baseUrl =
    process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `ss_bench_engine_next_${crypto.randomBytes(3).toString("hex")}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    await admin.unsafe(`create database "${name}"`);
  } catch (error) {
    return `skipped: PostgreSQL not reachable at ${baseUrl} (${(error as Error).message})`;
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const handle = openPostgres(url.toString(), { max: 2 });
  let server: Awaited<ReturnType<typeof startNext>> | undefined;
  try {
    buildNote = ensureBuild();
    await runMigrations(handle);
    server = await startNext(
      { url: url.toString() },
      // The app's own /api/inngest serves the no-op function beside its own when the bench routes are on. In-process
      // is what `next start` does by default; "http" is the same call through the loopback socket and Next's router.
      { STORY_SPROUT_BENCH_ROUTES: "1", INNGEST_EMBEDDED_IN_PROCESS: calls === "in-process" ? "1" : "0" },
      "engine",
    );
    const base = server.base;
    const control = async (count: number, reset = false) => {
      const res = await fetch(`${base}/api/bench/engine`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ count, reset }),
      });
      if (res.status !== 200) throw new Error(`/api/bench/engine answered ${res.status}: ${await res.text()}`);
    };
    type Snapshot = {
      marks: Record<string, { start: number; end: number }[]>;
      executions: Record<string, number>;
      cpu: { user: number; system: number };
    };
    const snapshot = async () => (await (await fetch(`${base}/api/bench/engine`)).json()) as Snapshot;
    const completed = async () => {
      const [row] = await handle.db.select({ n: count() }).from(inngestRuns).where(eq(inngestRuns.status, "completed"));
      return Number(row?.n ?? 0);
    };
    const waitFor = async (target: number, timeoutMs: number, pollMs: number) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const n = await completed();
        if (n >= target) return;
        if (Date.now() > deadline) throw new Error(`Timed out: ${n} of ${target} runs completed`);
        await new Promise((r) => setTimeout(r, pollMs));
      }
    };
    // The engine syncs the route when the server starts; events sent before that would match no function.
    const syncDeadline = Date.now() + 30_000;
    for (;;) {
      const rows = await handle.db.select({ id: inngestFunctions.id }).from(inngestFunctions);
      if (rows.some((r) => r.id.endsWith("bench-noop"))) break;
      if (Date.now() > syncDeadline) throw new Error("the server's engine did not sync the bench function within 30 s");
      await new Promise((r) => setTimeout(r, 100));
    }
    await control(20, true);
    await waitFor(20, 60_000, 50);

    await control(0, true);
    const runDurations: number[] = [];
    for (let i = 0; i < LATENCY_RUNS; i++) {
      const before = performance.now();
      await control(1);
      // Polled every 5 ms: the run time is good to ±5 ms; the per-step gaps come from the step bodies themselves.
      await waitFor(21 + i, 30_000, 5);
      runDurations.push(performance.now() - before);
    }
    const latency = await snapshot();
    const latencyGaps = gapsOf(latency.marks);

    await control(0, true);
    const before = await snapshot();
    const started = performance.now();
    await control(RUNS);
    await waitFor(20 + LATENCY_RUNS + RUNS, 300_000, 50);
    const seconds = (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 300));
    const after = await snapshot();
    const cpuMs = (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / 1000;
    const [failedRow] = await handle.db
      .select({ n: count() })
      .from(inngestRuns)
      .where(eq(inngestRuns.status, "failed"));
    const executions = Object.values(after.executions);
    const loadGaps = gapsOf(after.marks);
    const result: Result = {
      db:
        calls === "in-process"
          ? "PostgreSQL, production path (`next start`, in-process calls: the default)"
          : "PostgreSQL, `next start` with calls over HTTP through Next's router",
      sdkCallMedian: Number.NaN,
      latencyGapMedian: quantile(latencyGaps, 0.5),
      latencyGapP95: quantile(latencyGaps, 0.95),
      latencyRunMedian: quantile(runDurations, 0.5),
      loadGapMedian: quantile(loadGaps, 0.5),
      loadGapP95: quantile(loadGaps, 0.95),
      runsPerSecond: RUNS / seconds,
      cpuPerStepMs: cpuMs / (RUNS * 3),
      stepsPerSecond: (RUNS * 3) / seconds,
      totalSeconds: seconds,
      completedRuns: Object.values(after.marks).filter((list) => list.length >= 3).length,
      stepExecutions: executions.reduce((a, b) => a + b, 0),
      duplicates: executions.filter((n) => n > 1).length,
      failed: Number(failedRow?.n ?? 0),
    };
    console.log(JSON.stringify(result));
    return result;
  } catch (error) {
    console.error(error);
    return `production path failed: ${(error as Error).message.split("\n")[0]}${server ? ` (server log ${server.logFile})` : ""}`;
  } finally {
    await server?.stop();
    await handle.close();
    const dropper = postgres(baseUrl, { max: 1, onnotice: () => {} });
    await dropper.unsafe(`drop database if exists "${name}" with (force)`).finally(() => dropper.end());
  }
}

function gapsOf(marksByRun: Record<string, { start: number; end: number }[]>): number[] {
  const gaps: number[] = [];
  for (const list of Object.values(marksByRun)) {
    for (let i = 1; i < list.length; i++) gaps.push(list[i]!.start - list[i - 1]!.end);
  }
  return gaps;
}

let buildNote = "";

function report(results: (Result | string)[]): string {
  const rows = results.filter((r): r is Result => typeof r !== "string");
  const skipped = results.filter((r): r is string => typeof r === "string");
  const cell = (f: (r: Result) => string) => rows.map(f).join(" | ");
  return [
    "# Embedded Inngest engine benchmark",
    "",
    `- date: ${STARTED_AT.toISOString()} (written at the end of the run, ${new Date().toISOString()})`,
    `- command: \`${command()}\``,
    `- machine: ${machine()}`,
    `- load average (1, 5, 15 min): ${LOAD_AT_START} at start → ${loadavg()} at end`,
    `- inngest ${JSON.parse(fs.readFileSync("node_modules/inngest/package.json", "utf8")).version}; engine workers = ${WORKERS} (bare handler; the production path runs the server's own engine with its defaults)` +
      (buildNote ? `; \`next start\`: ${buildNote}` : ""),
    "",
    "A 3-step function with no-op steps. **Bare handler** columns: the real `serve()` handler (inngest/node) on its own",
    "loopback HTTP server, in the same Node process as the engine. **Production path** columns: the built app under",
    "`next start`, its own engine (production defaults) running the same function as one of the app's own (served by",
    "/api/inngest while STORY_SPROUT_BENCH_ROUTES=1): in-process calls (the default), then the same calls over HTTP",
    "through Next's router (INNGEST_EMBEDDED_IN_PROCESS=0); events sent through the app's client; CPU is the server",
    "process's. Per-step overhead",
    "is the time from the end of one step body to the start of the next: recording the result, queueing and claiming",
    "the next call, the signed call and the SDK's replay of the function. Medians; p95 in brackets. Timings on shared",
    "machines are noisy.",
    "",
    `| | ${rows.map((r) => r.db).join(" | ")} |`,
    `|---|${rows.map(() => "---").join("|")}|`,
    `| Per-step overhead, one run at a time (ms) | ${cell((r) => `${fmt(r.latencyGapMedian)} (${fmt(r.latencyGapP95)})`)} |`,
    `| … of which the signed call to the serve handler alone (SDK + HTTP, no engine) (ms) | ${cell((r) => (Number.isFinite(r.sdkCallMedian) ? fmt(r.sdkCallMedian) : "–"))} |`,
    `| 3-step run, send → completed, one at a time (ms) | ${cell((r) => fmt(r.latencyRunMedian))} |`,
    `| Per-step overhead with ${RUNS} runs in flight (ms) | ${cell((r) => `${fmt(r.loadGapMedian)} (${fmt(r.loadGapP95)})`)} |`,
    `| ${RUNS} concurrent runs: completed runs / s | ${cell((r) => r.runsPerSecond.toFixed(0))} |`,
    `| ${RUNS} concurrent runs: steps / s | ${cell((r) => r.stepsPerSecond.toFixed(0))} |`,
    `| ${RUNS} concurrent runs: total time (s) | ${cell((r) => r.totalSeconds.toFixed(2))} |`,
    `| Process CPU per step under load (ms) ¹ | ${cell((r) => fmt(r.cpuPerStepMs))} |`,
    `| Runs completed / failed | ${cell((r) => `${r.completedRuns} / ${r.failed}`)} |`,
    `| Step executions (expected ${RUNS * 3}) / duplicated | ${cell((r) => `${r.stepExecutions} / ${r.duplicates}`)} |`,
    "",
    "¹ CPU of the one Node process (engine, the app's serve handler and, for PGlite, the database; for the production",
    "path, the `next start` process); PostgreSQL's own CPU is not included. Less sensitive than wall time to other load",
    "on a shared machine.",
    "",
    ...(skipped.length ? [...skipped.map((s) => `- ${s}`), ""] : []),
    `Under load the overhead per step is mostly queueing: ${RUNS} runs share the worker pool and one Node process that`,
    "also serves the function calls. Next to a model call (hundreds of milliseconds to seconds) it is negligible.",
    "",
  ].join("\n");
}

if (process.env.BENCH_CALLS === "compare") {
  const lines: string[] = [];
  if (process.env.BENCH_ONLY !== "postgres") lines.push(...(await withPglite(compareCalls)));
  if (process.env.BENCH_ONLY !== "pglite") {
    const pg = await withPostgres(compareCalls);
    lines.push(...(typeof pg === "string" ? [`PostgreSQL ${pg}`, ""] : pg));
  }
  const markdown = compareReport(lines);
  fs.mkdirSync("bench/results", { recursive: true });
  fs.writeFileSync("bench/results/engine-calls.md", markdown);
  console.log(`\n${markdown}`);
  process.exit(0);
}

function command(): string {
  return [
    ...["BENCH_RUNS", "BENCH_WORKERS", "BENCH_ONLY", "BENCH_SKIP_BUILD"]
      .filter((n) => process.env[n] !== undefined)
      .map((n) => `${n}=${process.env[n]}`),
    ...((process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL) ? ["DATABASE_URL=postgres://…"] : []),
    "npm run bench:engine",
  ].join(" ");
}

// BENCH_ONLY=pglite | postgres | next (the production path) runs one column.
const only = process.env.BENCH_ONLY;
const results: (Result | string)[] = [];
if (!only || only === "pglite") results.push(await withPglite(benchmark));
if (!only || only === "postgres") results.push(await withPostgres(benchmark));
if (!only || only === "next") {
  results.push(await withNextStart("in-process"));
  results.push(await withNextStart("http"));
}
const markdown = report(results);
fs.mkdirSync("bench/results", { recursive: true });
fs.writeFileSync("bench/results/engine.md", markdown);
console.log(`\n${markdown}`);
const bad = results.some(
  (r) =>
    typeof r !== "string" &&
    (r.completedRuns !== RUNS || r.duplicates > 0 || r.failed > 0 || r.stepExecutions !== RUNS * 3),
);
process.exit(bad ? 1 : 0);
