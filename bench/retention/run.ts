/**
 * Retention on a database of a million events (`npm run bench:retention`).
 *
 * In a fresh PostgreSQL database (BENCH_DATABASE_URL, else DATABASE_URL, else postgres://postgres@127.0.0.1:5432/
 * postgres; created and dropped here) with the engine's tables, bench/retention/fill.ts writes BENCH_RETENTION_EVENTS
 * [1,000,000] events with their runs, BENCH_RETENTION_STEPS [1] steps and calls per run, 90% of them 40 days old.
 * Then, on its own connections, one retention sweep (30 days, the engine's defaults: 1,000 runs or events a
 * transaction, 100 ms between batches, a beforePurge hook that receives every batch), while the engine's hot queries
 * (an event received, a claim of 16 due items) are timed on other connections; the same hot queries are timed for
 * BENCH_RETENTION_BASE_S [20] s before and after the purge. Sizes are read before, after the purge (and a plain
 * VACUUM, which the engine leaves to autovacuum) and after VACUUM FULL. Results go to bench/results/retention.md.
 */
import { execSync } from "node:child_process";
import crypto from "node:crypto";
import os from "node:os";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { openPostgres } from "@/db/client";
import { engineContext } from "@/lib/inngest/embedded/context";
import { migrateEngine } from "@/lib/inngest/embedded/migrate";
import { sweepRetention, type SweepResult } from "@/lib/inngest/embedded/retention";
import { rowsOf, type EngineDb } from "@/lib/inngest/embedded/sql";
import { expectedCounts, fill } from "./fill";
import { sampleFor, sampleHot, type HotSamples } from "./hot";
import { writeReport } from "./report";
import { tableSizes } from "./sizes";

const EVENTS = Number(process.env.BENCH_RETENTION_EVENTS ?? 1_000_000);
const STEPS = Number(process.env.BENCH_RETENTION_STEPS ?? 1);
const BASE_MS = Number(process.env.BENCH_RETENTION_BASE_S ?? 20) * 1000;
const GAP_MS = 20;
const DAY = 86_400_000;
const loadavg = () => execSync("cat /proc/loadavg").toString().trim();
const log = (msg: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${msg}`);

async function plans(db: EngineDb): Promise<string[]> {
  const explain = async (query: ReturnType<typeof sql>) =>
    rowsOf<Record<string, string>>(await db.execute(sql`explain (costs off) ${query}`))
      .map((r) => Object.values(r)[0]!.trim())
      .join(" / ");
  const cutoff = new Date(Date.now() - 30 * DAY).toISOString();
  return [
    await explain(sql`select id, ended_at::text as at from inngest_runs
      where status in ('completed', 'failed', 'cancelled') and ended_at < ${cutoff}::timestamptz
      order by ended_at, id limit 1000 for update skip locked`),
    await explain(sql`select id, received_at::text as at from inngest_events where received_at < ${cutoff}::timestamptz
      and (received_at, id) > (${cutoff}::timestamptz - interval '100 days', '') order by received_at, id limit 1000
      for update skip locked`),
    await explain(sql`select event_id from inngest_runs where event_id in ('e1', 'e2')
      and status in ('queued', 'running')`),
  ];
}

async function main() {
  const loadStart = loadavg();
  const url =
    process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `bench_retention_${crypto.randomBytes(4).toString("hex")}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  // The purge and the hot queries on separate pools, as a sweeping instance and a working one would be.
  const purgeHandle = openPostgres(target.toString(), { max: 2 });
  const hotHandle = openPostgres(target.toString(), { max: 2 });
  const purgeDb = purgeHandle.db as unknown as EngineDb;
  const hot = engineContext(hotHandle.db as unknown as EngineDb, () => {});
  try {
    await migrateEngine(purgeDb);
    let start = performance.now();
    await fill(purgeDb, EVENTS, STEPS, 1000);
    const fillS = (performance.now() - start) / 1000;
    log(`filled ${EVENTS} events in ${fillS.toFixed(0)} s`);
    const before = await tableSizes(purgeDb);
    const queryPlans = await plans(purgeDb);

    const idle = await sampleFor(hot, BASE_MS, GAP_MS);
    log(`hot queries without purge: ${idle.claim.length} samples`);

    const batches: { kind: string; rows: number; ms: number }[] = [];
    let purging = true;
    const during: Promise<HotSamples> = sampleHot(hot, { done: () => !purging, gapMs: GAP_MS });
    start = performance.now();
    let result: SweepResult;
    try {
      result = await sweepRetention(purgeDb, {
        retentionMs: 30 * DAY,
        // The app's hook copies the batch into its ledger; here it only receives it (runs, steps and calls loaded).
        beforePurge: async (runs) => void runs.length,
        onBatch: (batch) => {
          batches.push(batch);
          if (batches.length % 100 === 0) log(`${batches.length} batches`);
        },
      });
    } finally {
      purging = false;
    }
    const purgeS = (performance.now() - start) / 1000;
    const duringPurge = await during;
    log(`purged in ${purgeS.toFixed(0)} s: ${JSON.stringify(result)}`);

    const after = await sampleFor(hot, BASE_MS, GAP_MS);
    const expected = expectedCounts(EVENTS, STEPS);
    const left = rowsOf<{ live: string }>(
      await purgeDb.execute(sql`select count(*) as live from inngest_runs where status = 'running' and id like 'r%'`),
    );
    const afterPurge = await tableSizes(purgeDb);
    await purgeDb.execute(sql`vacuum analyze`);
    const afterVacuum = await tableSizes(purgeDb);
    await purgeDb.execute(sql`vacuum full`);
    const afterFull = await tableSizes(purgeDb);

    writeReport({
      date: new Date().toISOString(),
      machine: `${os.cpus().length} cores (\`nproc\` ${execSync("nproc").toString().trim()}), ${os.cpus()[0]?.model ?? "?"}`,
      server: rowsOf<{ v: string }>(await purgeDb.execute(sql`select version() as v`))[0]!.v,
      loadStart,
      loadEnd: loadavg(),
      command: `npm run bench:retention (BENCH_RETENTION_EVENTS=${EVENTS}, BENCH_RETENTION_STEPS=${STEPS}, BENCH_RETENTION_BASE_S=${BASE_MS / 1000})`,
      events: EVENTS,
      steps: STEPS,
      fillS,
      purgeS,
      result,
      expected,
      liveOldRunsKept: Number(left[0]!.live),
      batches,
      hot: { idle, during: duringPurge, after },
      sizes: { before, afterPurge, afterVacuum, afterFull },
      plans: queryPlans,
    });
  } finally {
    await purgeHandle.close();
    await hotHandle.close();
    await admin.unsafe(`drop database "${name}" with (force)`);
    await admin.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
