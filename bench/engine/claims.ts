/**
 * Claim cost with a deep backlog (`npm run bench:claims`).
 *
 * For each database (PGlite in a temporary directory; PostgreSQL at BENCH_DATABASE_URL or DATABASE_URL, else
 * postgres://postgres@127.0.0.1:5432/postgres, in a fresh database that is dropped afterwards) it fills inngest_queue
 * with 1k / 10k / 100k due call items, all due at the same instant (the worst case for an index on available_at
 * alone), and times claims of 16 items, releasing what was taken after each claim so the depth stays the same:
 *   - free: no concurrency keys, every item runnable;
 *   - blocked: 90% of the items wait on one key (limit 1) whose slot is held, 10% have no key. "after" starts as the
 *     engine leaves such a backlog (the blocked items parked on their key by the first claim that saw them); "before"
 *     starts with them due, as the old claim brings them back every 250 ms. Both pay the same first pass.
 * "before" is the previous claim (copied below: blocked items moved aside for 250 ms) on the previous index
 * (available_at); "after" is claimItems (queue.ts) on the engine's current indexes. Both run in one process, on the
 * same rows, one after the other. BENCH_CLAIMS_ITER [200] claims per case, BENCH_CLAIMS_SIZES [1000,10000,100000],
 * BENCH_ONLY=pglite|postgres. Results go to bench/results/claims.md.
 */
import { execSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, asc, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import postgres from "postgres";
import type { DbHandle } from "@/db";
import { openPglite, openPostgres } from "@/db/client";
import { migrateEngine } from "@/lib/inngest/embedded/migrate";
import { claimItems } from "@/lib/inngest/embedded/queue";
import { inngestQueue } from "@/lib/inngest/embedded/schema";
import { rowsOf, type EngineDb } from "@/lib/inngest/embedded/sql";

const ITER = Number(process.env.BENCH_CLAIMS_ITER ?? 200);
const SIZES = (process.env.BENCH_CLAIMS_SIZES ?? "1000,10000,100000").split(",").map(Number);
const ONLY = process.env.BENCH_ONLY;
const MAX = 16;
const LEASE_MS = 30_000;
const OLD_RECHECK_MS = 250;
const NEW_RECHECK_MS = 5000;
const HOT_KEY = "bench-fn:hot";
const HOLDER_RUN = "r0";

const uptime = () => execSync("uptime").toString().trim();
const UPTIME_START = uptime();

/** The claim as it was before parking (commit 65c02a9), kept here to time it beside the new one. */
async function legacyClaim(db: EngineDb, owner: string): Promise<number> {
  const now = new Date();
  return db.transaction(async (tx) => {
    const candidates = await tx
      .select({ id: inngestQueue.id, keys: inngestQueue.concurrencyKeys, limits: inngestQueue.concurrencyLimits })
      .from(inngestQueue)
      .where(
        and(lte(inngestQueue.availableAt, now), or(isNull(inngestQueue.leaseUntil), lt(inngestQueue.leaseUntil, now))),
      )
      .orderBy(asc(inngestQueue.availableAt), asc(inngestQueue.id))
      .limit(MAX * 2 + 8)
      .for("update", { skipLocked: true });
    if (!candidates.length) return 0;
    const keys = [...new Set(candidates.flatMap((c) => c.keys))].sort();
    const active = new Map<string, number>();
    if (keys.length) {
      for (const key of keys) await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`);
      const keyList = sql.join(
        keys.map((k) => sql`${k}`),
        sql`, `,
      );
      const counts = rowsOf<{ k: string; n: number | string }>(
        await tx.execute(sql`
          select k, count(*) as n
          from ${inngestQueue}, unnest(${inngestQueue.concurrencyKeys}) as k
          where ${inngestQueue.leaseUntil} >= ${now.toISOString()}::timestamptz and ${inngestQueue.concurrencyKeys} && array[${keyList}]::text[]
          group by k`),
      );
      for (const row of counts) active.set(row.k, Number(row.n));
    }
    const taken: number[] = [];
    const blocked: number[] = [];
    for (const c of candidates) {
      if (taken.length >= MAX) break;
      if (!c.keys.every((key, i) => (active.get(key) ?? 0) < (c.limits[i] ?? Infinity))) {
        blocked.push(c.id);
        continue;
      }
      for (const key of c.keys) active.set(key, (active.get(key) ?? 0) + 1);
      taken.push(c.id);
    }
    if (blocked.length)
      await tx
        .update(inngestQueue)
        .set({ availableAt: new Date(now.getTime() + OLD_RECHECK_MS) })
        .where(inArray(inngestQueue.id, blocked));
    if (taken.length)
      await tx
        .update(inngestQueue)
        .set({ leaseUntil: new Date(now.getTime() + LEASE_MS), leaseOwner: owner })
        .where(inArray(inngestQueue.id, taken));
    return taken.length;
  });
}

async function newClaim(db: EngineDb, owner: string): Promise<number> {
  const claimed = await claimItems(db, { owner, max: MAX, leaseMs: LEASE_MS, recheckMs: NEW_RECHECK_MS });
  return claimed.length;
}

type Variant = "free" | "blocked";

const DUE_AT = "2026-01-01T00:00:00Z";

async function fill(db: EngineDb, size: number, variant: Variant) {
  await db.execute(sql`truncate inngest_queue, inngest_runs cascade`);
  await db.execute(sql`
    insert into inngest_runs (id, function_id, status, event)
    select 'r' || g, 'bench-fn', 'running', '{}'::jsonb from generate_series(0, ${size}) g`);
  const blocked = variant === "blocked";
  await db.execute(sql`
    insert into inngest_queue (run_id, kind, step_id, attempt, available_at, concurrency_keys, concurrency_limits)
    select 'r' || g, 'call', 's' || g, 0, ${DUE_AT}::timestamptz,
      case when ${blocked} and g % 10 <> 0 then array[${HOT_KEY}]::text[] else '{}'::text[] end,
      case when ${blocked} and g % 10 <> 0 then array[1]::integer[] else '{}'::integer[] end
    from generate_series(1, ${size}) g`);
  if (blocked)
    // The slot of the hot key is held by a run in flight (its lease far off) for the whole measurement.
    await db.execute(sql`
      insert into inngest_queue (run_id, kind, step_id, attempt, available_at, lease_until, lease_owner, concurrency_keys, concurrency_limits)
      values (${HOLDER_RUN}, 'call', 'holder', 0, ${DUE_AT}::timestamptz, now() + interval '1 day', 'engine-holder',
        array[${HOT_KEY}]::text[], array[1]::integer[])`);
}

/** Back to the filled state: everything due and unleased (except the holder), nothing parked. */
async function reset(db: EngineDb, variant: Variant, parked: boolean) {
  await db.execute(sql`
    update inngest_queue set available_at = ${DUE_AT}::timestamptz, lease_until = null, lease_owner = null, parked_on = null
    where run_id <> ${HOLDER_RUN}`);
  if (variant === "blocked" && parked)
    await db.execute(sql`
      update inngest_queue set available_at = now() + interval '1 hour', parked_on = ${HOT_KEY}
      where run_id <> ${HOLDER_RUN} and concurrency_keys = array[${HOT_KEY}]::text[]`);
  await db.execute(sql`analyze inngest_queue`);
}

async function switchIndexes(db: EngineDb, which: "before" | "after") {
  if (which === "before") {
    await db.execute(sql`drop index if exists inngest_queue_available_id_idx`);
    await db.execute(sql`create index if not exists inngest_queue_available_idx on inngest_queue (available_at)`);
  } else {
    await db.execute(sql`drop index if exists inngest_queue_available_idx`);
    await db.execute(
      sql`create index if not exists inngest_queue_available_id_idx on inngest_queue (available_at, id)`,
    );
  }
}

async function candidatePlan(db: EngineDb): Promise<string> {
  const rows = rowsOf<Record<string, string>>(
    await db.execute(sql`
      explain (costs off) select id from inngest_queue
      where available_at <= now() and (lease_until is null or lease_until < now())
      order by available_at, id limit 40 for update skip locked`),
  );
  return rows.map((r) => Object.values(r)[0]).join(" / ");
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
};

interface Measure {
  p50: number;
  p95: number;
  perClaim: number;
  plan: string;
}

async function measure(db: EngineDb, claim: (db: EngineDb, owner: string) => Promise<number>): Promise<Measure> {
  const owner = "engine-bench";
  const times: number[] = [];
  let items = 0;
  for (let i = 0; i < ITER + 10; i++) {
    const start = performance.now();
    const n = await claim(db, owner);
    const ms = performance.now() - start;
    // Stand for the claimed items being done and as many new ones queued at the back, so the next claim sees the
    // same depth (not timed). Putting them back at their old place would let them crowd the head of the queue.
    await db.execute(
      sql`update inngest_queue set lease_until = null, lease_owner = null, available_at = now() where lease_owner = ${owner}`,
    );
    if (i < 10) continue;
    times.push(ms);
    items += n;
  }
  return { p50: quantile(times, 0.5), p95: quantile(times, 0.95), perClaim: items / ITER, plan: "" };
}

interface Row {
  db: string;
  size: number;
  variant: Variant;
  before: Measure;
  after: Measure;
}

async function benchDb(label: string, handle: DbHandle): Promise<Row[]> {
  const db = handle.db as unknown as EngineDb;
  await migrateEngine(db);
  const rows: Row[] = [];
  for (const size of SIZES) {
    for (const variant of ["free", "blocked"] as const) {
      await fill(db, size, variant);
      await switchIndexes(db, "before");
      await reset(db, variant, false);
      const beforePlan = await candidatePlan(db);
      const before = { ...(await measure(db, legacyClaim)), plan: beforePlan };
      await switchIndexes(db, "after");
      await reset(db, variant, true);
      const afterPlan = await candidatePlan(db);
      const after = { ...(await measure(db, newClaim)), plan: afterPlan };
      rows.push({ db: label, size, variant, before, after });
      console.log(
        `${label} ${size} ${variant}: before p50 ${before.p50.toFixed(2)} p95 ${before.p95.toFixed(2)} ms ` +
          `(${before.perClaim.toFixed(1)}/claim) | after p50 ${after.p50.toFixed(2)} p95 ${after.p95.toFixed(2)} ms ` +
          `(${after.perClaim.toFixed(1)}/claim)`,
      );
    }
  }
  return rows;
}

async function main() {
  const all: Row[] = [];
  if (ONLY !== "postgres") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-claims-"));
    const handle = await openPglite(path.join(dir, "pglite"));
    try {
      all.push(...(await benchDb("PGlite", handle)));
    } finally {
      await handle.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  if (ONLY !== "pglite") {
    const url =
      process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
    const name = `bench_claims_${crypto.randomBytes(4).toString("hex")}`;
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database "${name}"`);
    const target = new URL(url);
    target.pathname = `/${name}`;
    const handle = openPostgres(target.toString(), { max: 2 });
    try {
      all.push(...(await benchDb("PostgreSQL", handle)));
    } finally {
      await handle.close();
      await admin.unsafe(`drop database "${name}"`);
      await admin.end();
    }
  }
  write(all);
}

function write(rows: Row[]) {
  const cpu = os.cpus()[0]?.model ?? "unknown";
  const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(1) : "—");
  const f = (n: number) => n.toFixed(2);
  const lines = [
    "# Claim cost with a deep backlog (bench:claims)",
    "",
    `Run ${new Date().toISOString()} on ${os.cpus().length} cores (\`nproc\` ${execSync("nproc").toString().trim()}), ${cpu}.`,
    `Load at start: \`${UPTIME_START}\``,
    `Load at end: \`${uptime()}\``,
    "",
    `Command: \`npm run bench:claims\` (BENCH_CLAIMS_ITER=${ITER}, BENCH_CLAIMS_SIZES=${SIZES.join(",")}${ONLY ? `, BENCH_ONLY=${ONLY}` : ""}).`,
    "",
    `One claim = one transaction taking up to ${MAX} due items (as a runner with 16 free workers). Each case times`,
    `${ITER} claims after 10 warm-up claims; after each claim the claimed items go back to the end of the queue (not`,
    "timed), standing for done items and as many new ones, so the backlog keeps its depth. All items are due at the",
    "same instant. before = the previous claim (blocked items moved aside for 250 ms) on the previous index (available_at); after = claimItems on the current indexes",
    "(available_at, id) and parked_on. In the blocked cases 90% of the items wait on one full key; after starts with",
    "them parked (as the first claim that meets them leaves them), before with them due (as they come back every",
    "250 ms). items/claim = runnable items a claim hands to workers (16 is a full window).",
    "",
    "| database | items | case | before p50 / p95 ms | before items/claim | after p50 / p95 ms | after items/claim | p50 ratio before/after |",
    "|---|---:|---|---:|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.db} | ${r.size.toLocaleString("en-US")} | ${r.variant} | ${f(r.before.p50)} / ${f(r.before.p95)} | ` +
        `${r.before.perClaim.toFixed(1)} | ${f(r.after.p50)} / ${f(r.after.p95)} | ${r.after.perClaim.toFixed(1)} | ` +
        `${ratio(r.before.p50, r.after.p50)} |`,
    ),
    "",
    "Candidate query plans (EXPLAIN, costs off), largest backlog, free case:",
    "",
    ...[...new Set(rows.filter((r) => r.size === Math.max(...SIZES) && r.variant === "free").map((r) => r.db))].flatMap(
      (label) => {
        const r = rows.find((x) => x.db === label && x.size === Math.max(...SIZES) && x.variant === "free")!;
        return [`- ${label} before: \`${r.before.plan}\``, `- ${label} after: \`${r.after.plan}\``];
      },
    ),
    "",
  ];
  const out = path.join(process.cwd(), "bench", "results", "claims.md");
  fs.writeFileSync(out, lines.join("\n"));
  console.log(`wrote ${out}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
