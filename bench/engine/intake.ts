/**
 * Creating many runs at once (`npm run bench:intake`): what a batch of events costs the process that receives it
 * (a fan-out sends its 1,000 children in one `step.sendEvent`, `bench:peers` its 500 runs in one `inngest.send`).
 *
 * Side by side in one process, interleaved, on the same database: "before" is the previous createRuns (copied
 * below: a multi-row VALUES insert of the runs and one of their first calls, built with the query builder), "after"
 * is createRuns (lib/inngest/embedded/runs.ts: the rows as one JSON parameter, both inserts in one statement). Each
 * sample creates BATCH runs in one transaction, rolled back (so the table does not grow between samples). Measured
 * per sample: wall time, this process's CPU time (process.cpuUsage: every thread of the process; PostgreSQL's own
 * work is in its server process and not counted, PGlite's runs in this one and is), and the longest the event loop was held
 * (perf_hooks.monitorEventLoopDelay at 1 ms resolution: what a request arriving meanwhile waits at most).
 *
 * Databases: PGlite in a temporary directory, and PostgreSQL at BENCH_DATABASE_URL / DATABASE_URL (else
 * postgres://postgres@127.0.0.1:5432/postgres) in a fresh database dropped afterwards. BENCH_INTAKE_SIZES [100,1000],
 * BENCH_INTAKE_SAMPLES [20] per side and size, BENCH_ONLY=pglite|postgres. Results: bench/results/intake.md.
 */
import { execSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { DbHandle } from "@/db";
import { openPglite } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import type { FunctionDef } from "@/lib/inngest/embedded/function-config";
import { ulid } from "@/lib/inngest/embedded/ids";
import { concurrencyFor, createRuns, type NewRun } from "@/lib/inngest/embedded/runs";
import { inngestQueue, inngestRuns } from "@/lib/inngest/embedded/schema";
import type { EngineDb, Tx } from "@/lib/inngest/embedded/sql";
import { compileExpression } from "@/lib/inngest/embedded/testing";
import { machineWithVersions, PostgresUnreachable, redactUrl, withFreshPostgres } from "../shared/bench-db";

const SIZES = (process.env.BENCH_INTAKE_SIZES ?? "100,1000").split(",").map(Number);
const SAMPLES = Number(process.env.BENCH_INTAKE_SAMPLES ?? 20);
const ONLY = process.env.BENCH_ONLY;
const WARMUP = 3;
const PG_URL =
  process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const uptime = () => execSync("uptime").toString().trim();
const UPTIME_START = uptime();
const STARTED = new Date();

/** The function of the background children (run-ai-child-job): a global limit and one per job type. */
const fn: FunctionDef = {
  id: "story-sprout-run-ai-child-job",
  name: "run-ai-child-job",
  appId: "story-sprout",
  url: "http://127.0.0.1/api/inngest",
  retries: 3,
  eventTriggers: [{ event: "ai/child-job.requested" }],
  crons: [],
  concurrency: [{ limit: 4 }, { limit: 2, key: compileExpression("event.data.jobType") }],
  cancel: [],
  config: {},
};

function inputs(count: number): NewRun[] {
  const now = new Date();
  return Array.from({ length: count }, (_v, i) => ({
    fn,
    now,
    eventId: ulid(),
    event: {
      name: "ai/child-job.requested",
      id: `bench-${i}-${Math.random().toString(36).slice(2)}`,
      ts: now.getTime(),
      data: {
        jobId: crypto.randomUUID(),
        jobType: "page_summary",
        targetType: "page",
        targetId: crypto.randomUUID(),
        parentJobId: crypto.randomUUID(),
      },
    },
  }));
}

/** createRuns before this change (commit 0b9d752), kept here to time it beside the current one. */
async function previousCreateRuns(tx: Tx, runs: readonly NewRun[]): Promise<string[]> {
  const ids: string[] = [];
  for (let from = 0; from < runs.length; from += 1000) {
    const chunk = runs.slice(from, from + 1000).map((input) => ({
      input,
      id: input.id ?? ulid(input.now.getTime()),
      ...concurrencyFor(input.fn, input.event),
    }));
    await tx.insert(inngestRuns).values(
      chunk.map(({ input, id, keys, limits }) => ({
        id,
        functionId: input.fn.id,
        status: "queued" as const,
        event: input.event,
        eventId: input.eventId ?? null,
        concurrencyKeys: keys,
        concurrencyLimits: limits,
        parentRunId: input.parent?.runId ?? null,
        parentStepId: input.parent?.stepId ?? null,
        createdAt: input.now,
      })),
    );
    await tx
      .insert(inngestQueue)
      .values(
        chunk.map(({ input, id, keys, limits }) => ({
          runId: id,
          kind: "call" as const,
          stepId: null,
          attempt: 0,
          availableAt: input.now,
          concurrencyKeys: keys,
          concurrencyLimits: limits,
        })),
      )
      .onConflictDoNothing();
    ids.push(...chunk.map((c) => c.id));
  }
  return ids;
}

class Rollback extends Error {}

interface Sample {
  wallMs: number;
  cpuMs: number;
  heldMs: number;
}

async function sample(db: EngineDb, create: typeof createRuns, count: number): Promise<Sample> {
  const batch = inputs(count);
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const cpu = process.cpuUsage();
  const began = performance.now();
  let created = 0;
  try {
    await db.transaction(async (tx) => {
      created = (await create(tx, batch)).length;
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
  const wallMs = performance.now() - began;
  const used = process.cpuUsage(cpu);
  // One more turn of the loop, so that a stall at the very end is recorded.
  await new Promise((r) => setTimeout(r, 2));
  histogram.disable();
  if (created !== count) throw new Error(`created ${created} runs of ${count}`);
  return { wallMs, cpuMs: (used.user + used.system) / 1000, heldMs: histogram.max / 1e6 };
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const f1 = (v: number) => v.toFixed(1);

async function measure(label: string, handle: DbHandle): Promise<string[]> {
  const db = handle.db as unknown as EngineDb;
  const lines: string[] = [];
  for (const size of SIZES) {
    const sides = { before: [] as Sample[], after: [] as Sample[] };
    for (let i = 0; i < WARMUP; i++) {
      await sample(db, previousCreateRuns, size);
      await sample(db, createRuns, size);
    }
    for (let i = 0; i < SAMPLES; i++) {
      // Alternate which side goes first, so that neither always follows the other's garbage.
      const order = i % 2 ? (["after", "before"] as const) : (["before", "after"] as const);
      for (const side of order)
        sides[side].push(await sample(db, side === "before" ? previousCreateRuns : createRuns, size));
    }
    const stat = (side: Sample[], key: keyof Sample) => ({
      p50: quantile(
        side.map((s) => s[key]),
        0.5,
      ),
      p95: quantile(
        side.map((s) => s[key]),
        0.95,
      ),
    });
    const cells = (key: keyof Sample) => {
      const b = stat(sides.before, key);
      const a = stat(sides.after, key);
      return `${f1(b.p50)} / ${f1(b.p95)} | ${f1(a.p50)} / ${f1(a.p95)} | ${(b.p50 / a.p50).toFixed(1)}`;
    };
    lines.push(`| ${label} | ${size.toLocaleString("en")} | wall ms | ${cells("wallMs")} |`);
    lines.push(`| ${label} | ${size.toLocaleString("en")} | CPU ms, this process | ${cells("cpuMs")} |`);
    lines.push(`| ${label} | ${size.toLocaleString("en")} | event loop held, max ms | ${cells("heldMs")} |`);
    console.log(lines.slice(-3).join("\n"));
  }
  return lines;
}

async function main() {
  const rows: string[] = [];
  const notes: string[] = [];
  if (ONLY !== "postgres") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-intake-"));
    const handle = await openPglite(dir);
    try {
      await runMigrations(handle);
      rows.push(...(await measure("PGlite", handle)));
    } finally {
      await handle.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  if (ONLY !== "pglite") {
    try {
      rows.push(...(await withFreshPostgres(PG_URL, "ss_bench_intake", (label, handle) => measure(label, handle))));
    } catch (error) {
      if (!(error instanceof PostgresUnreachable)) throw error;
      notes.push(`PostgreSQL skipped: ${error.message}`);
    }
  }
  const report = [
    "# Creating many runs at once (bench:intake)",
    "",
    `- date: ${STARTED.toISOString()} (run start)`,
    `- machine: ${machineWithVersions(["drizzle-orm", "postgres", "@electric-sql/pglite"])}`,
    `- load at start: \`${UPTIME_START}\``,
    `- load at end: \`${uptime()}\``,
    `- command: \`npm run bench:intake\` (BENCH_INTAKE_SIZES=${SIZES.join(",")}, BENCH_INTAKE_SAMPLES=${SAMPLES}; PostgreSQL: ${redactUrl(PG_URL)}, a fresh database)`,
    "",
    "One sample = createRuns of a batch of runs of the background children's function (two concurrency keys each) in",
    "one transaction, rolled back. before = the previous createRuns (a multi-row VALUES insert of the runs and one of",
    "their first calls, built with the query builder); after = createRuns now (the rows as one JSON parameter,",
    "`jsonb_to_recordset`, both inserts in one statement). Interleaved in one process, on the same database.",
    `${SAMPLES} samples per side after ${WARMUP} warm-up pairs; p50 / p95. CPU is this process's (PostgreSQL's server is`,
    "another process and not counted; PGlite runs in this one and is). Event loop held = the longest delay `monitorEventLoopDelay` saw during the sample:",
    "what a request arriving meanwhile (a Generate) waited at most.",
    "",
    "| database | runs | measure | before p50 / p95 | after p50 / p95 | ratio before ÷ after (p50) |",
    "|---|---:|---|---:|---:|---:|",
    ...rows,
    ...(notes.length ? ["", ...notes] : []),
    "",
    "Timings on a shared machine are noisy: compare the two sides within one run.",
    "",
  ].join("\n");
  fs.mkdirSync("bench/results", { recursive: true });
  fs.writeFileSync("bench/results/intake.md", report);
  console.log(report);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
