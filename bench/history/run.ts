/**
 * Job history benchmark (`npm run bench:history`).
 *
 * Creates (or recreates) a dedicated PostgreSQL database `ss_bench_history` next to BENCH_DATABASE_URL /
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), migrates it, seeds BENCH_JOBS (100,000) ai_jobs
 * rows with generate_series, then times the history page query and the status counts query exactly as the admin
 * page runs them (lib/ai/jobs/history.ts): first page, a deep page via a cursor, and each filter and some combos.
 * Each case: 5 warm-up runs, then BENCH_ITERATIONS (60) timed runs; p50 / p95 reported, with the EXPLAIN plan's
 * scan nodes to show which index serves it. Results go to bench/results/history.md.
 */
import { execSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { openPostgres } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import {
  countJobsByStatus,
  encodeCursor,
  historyFilterSchema,
  historyPageQuery,
  listJobHistory,
  statusCountsQuery,
  type HistoryFilters,
} from "@/lib/ai/jobs/history";

const JOBS = Number(process.env.BENCH_JOBS ?? 100_000);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 60);
const DB_NAME = "ss_bench_history";
const baseUrl =
  process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

async function main() {
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${DB_NAME}" with (force)`);
  await admin.unsafe(`create database "${DB_NAME}"`);
  await admin.end();
  const handle = openPostgres(withDatabase(baseUrl, DB_NAME), { max: 4 });
  const db = handle.db;
  await runMigrations(handle);

  // --- seed ------------------------------------------------------------------------------------------------------
  const seedStart = performance.now();
  await db.execute(sql`insert into users (email, name, password_hash)
    select 'bench-' || g || '@example.com', 'Bench ' || g, 'x' from generate_series(1, 50) g`);
  // 50 users, 500 stories (scope ids), 4 models; created_at over 90 days in whole seconds (so ties happen);
  // 88% succeeded, 7% failed, 3% cancelled, 1.5% pending, 0.5% running.
  await db.execute(sql`
    with u as (select array_agg(id order by email) ids from users),
         s as (select array_agg(gen_random_uuid()) ids from generate_series(1, 500))
    insert into ai_jobs (job_type, status, target_type, target_id, scope_type, scope_id, requested_by, template_key,
      template_version, provider, model, instruction, prompt_payload, output_text, error_code, error_message,
      input_tokens, output_tokens, cost_usd, attempts, base_version, created_at, started_at, first_token_at, completed_at)
    select
      (array['page_text.write', 'page_text.revise', 'page_text.revise'])[1 + g % 3],
      st,
      'page', gen_random_uuid(), 'story', s.ids[1 + (hashint % 500)], u.ids[1 + (g * 7) % 50],
      'page_write', 1, 'openai',
      (array['gpt-4o-mini', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'offline'])[1 + g % 5],
      '', '{}'::jsonb,
      case when st = 'succeeded' then 'text ' || g end,
      case when st = 'failed' then (array['GEN_TIMEOUT', 'GEN_PROVIDER_UNAVAILABLE', 'GEN_RATE_LIMITED', 'GEN_EMPTY_OUTPUT'])[1 + g % 4]
           when st = 'cancelled' then 'GEN_CANCELLED' end,
      case when st in ('failed', 'cancelled') then 'bench' end,
      case when st = 'succeeded' then 800 + g % 900 end,
      case when st = 'succeeded' then 100 + g % 300 end,
      case when st = 'succeeded' then round(((800 + g % 900) * 0.00000015 + (100 + g % 300) * 0.0000006)::numeric, 6) end,
      1 + (g % 17 = 0)::int, 1, created, created + interval '200 ms', created + interval '900 ms',
      case when st not in ('pending', 'running') then created + ((1500 + g % 9000) || ' ms')::interval end
    from generate_series(1, ${JOBS}) g
    cross join u cross join s
    cross join lateral (select abs(hashint4(g)) as hashint) h
    cross join lateral (select date_trunc('second', now() - ((g::float8 / ${JOBS}) * interval '90 days')) as created) c
    cross join lateral (select case
        when h.hashint % 1000 < 880 then 'succeeded'
        when h.hashint % 1000 < 950 then 'failed'
        when h.hashint % 1000 < 980 then 'cancelled'
        when h.hashint % 1000 < 995 then 'pending'
        else 'running' end as st) x`);
  await db.execute(sql`analyze ai_jobs`);
  const seedMs = performance.now() - seedStart;

  const pick = async (query: ReturnType<typeof sql>) => {
    const result = (await db.execute(query)) as unknown as Record<string, unknown>[];
    return result[0]!;
  };
  const someUser = String(
    (await pick(sql`select requested_by from ai_jobs group by 1 order by count(*) desc limit 1`)).requested_by,
  );
  const someStory = String(
    (await pick(sql`select scope_id from ai_jobs group by 1 order by count(*) desc limit 1`)).scope_id,
  );
  const deep = await pick(
    sql`select created_at::text as c, id from ai_jobs order by created_at desc, id desc offset 50000 limit 1`,
  );
  const deepCursor = encodeCursor({ createdAt: String(deep.c), id: String(deep.id) });
  const week = {
    from: new Date(Date.now() - 37 * 86_400_000).toISOString(),
    to: new Date(Date.now() - 30 * 86_400_000).toISOString(),
  };
  const counts = await pick(
    sql`select count(*)::int as n, count(*) filter (where status = 'failed')::int as failed from ai_jobs`,
  );

  const f = (input: Record<string, unknown>): HistoryFilters => historyFilterSchema.parse(input);
  const cases: { name: string; filters: HistoryFilters; cursor?: string; before?: string }[] = [
    { name: "first page, no filter", filters: f({}) },
    { name: "deep page (cursor at row 50,000), no filter", filters: f({}), cursor: deepCursor },
    { name: "newer page (before row 50,000: Newer jobs link), no filter", filters: f({}), before: deepCursor },
    { name: "status = failed", filters: f({ status: "failed" }) },
    { name: "status = running (rare)", filters: f({ status: "running" }) },
    { name: "job type = page_text.write", filters: f({ jobType: "page_text.write" }) },
    { name: "user", filters: f({ requestedBy: someUser }) },
    { name: "story", filters: f({ scopeId: someStory }) },
    { name: "model = gpt-4.1", filters: f({ model: "gpt-4.1" }) },
    { name: "error code = GEN_TIMEOUT", filters: f({ errorCode: "GEN_TIMEOUT" }) },
    { name: "date range (7 days, 30 days ago)", filters: f(week) },
    { name: "status = failed + model = gpt-4.1", filters: f({ status: "failed", model: "gpt-4.1" }) },
    { name: "user + date range", filters: f({ requestedBy: someUser, ...week }) },
    { name: "story + status = succeeded", filters: f({ scopeId: someStory, status: "succeeded" }) },
    { name: "deep page, status = failed", filters: f({ status: "failed" }), cursor: undefined },
  ];
  // The failed-filter deep cursor: the 2,000th failed job.
  const failedDeep = await pick(
    sql`select created_at::text as c, id from ai_jobs where status = 'failed' order by created_at desc, id desc offset 2000 limit 1`,
  );
  cases.at(-1)!.cursor = encodeCursor({ createdAt: String(failedDeep.c), id: String(failedDeep.id) });

  const countCases: { name: string; filters: HistoryFilters }[] = [
    { name: "counts, no filter", filters: f({}) },
    { name: "counts, user", filters: f({ requestedBy: someUser }) },
    { name: "counts, story", filters: f({ scopeId: someStory }) },
    { name: "counts, model = gpt-4.1", filters: f({ model: "gpt-4.1" }) },
    { name: "counts, error code = GEN_TIMEOUT", filters: f({ errorCode: "GEN_TIMEOUT" }) },
    { name: "counts, date range (7 days)", filters: f(week) },
  ];

  const client = postgres(withDatabase(baseUrl, DB_NAME), { max: 1, onnotice: () => {} });
  async function planOf(query: { toSQL(): { sql: string; params: unknown[] } }): Promise<string> {
    const { sql: text, params } = query.toSQL();
    const [row] = await client.unsafe(`explain (format json) ${text}`, params as never[]);
    const plan = (row as Record<string, unknown>)["QUERY PLAN"] as { Plan: PlanNode }[];
    const nodes: string[] = [];
    const walk = (n: PlanNode) => {
      if (/Scan/.test(n["Node Type"]))
        nodes.push(n["Index Name"] ? `${n["Node Type"]} (${n["Index Name"]})` : n["Node Type"]);
      for (const child of n.Plans ?? []) walk(child);
    };
    walk(plan[0]!.Plan);
    return nodes.join(" + ");
  }
  interface PlanNode {
    "Node Type": string;
    "Index Name"?: string;
    Plans?: PlanNode[];
  }

  async function time(run: () => Promise<unknown>) {
    for (let i = 0; i < 5; i++) await run();
    const samples: number[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      const start = performance.now();
      await run();
      samples.push(performance.now() - start);
    }
    samples.sort((a, b) => a - b);
    return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
  }

  const results: { name: string; rows: number; p50: number; p95: number; plan: string }[] = [];
  for (const c of cases) {
    const request = { cursor: c.cursor, before: c.before };
    const page = await listJobHistory(db, c.filters, request);
    const timing = await time(() => listJobHistory(db, c.filters, request));
    results.push({
      name: c.name,
      rows: page.rows.length,
      ...timing,
      plan: await planOf(historyPageQuery(db, c.filters, request)),
    });
    console.log(`${c.name}: p50 ${timing.p50.toFixed(2)} ms, p95 ${timing.p95.toFixed(2)} ms`);
  }
  for (const c of countCases) {
    const total = (await countJobsByStatus(db, c.filters)).total;
    const timing = await time(() => countJobsByStatus(db, c.filters));
    results.push({ name: c.name, rows: total, ...timing, plan: await planOf(statusCountsQuery(db, c.filters)) });
    console.log(`${c.name}: p50 ${timing.p50.toFixed(2)} ms, p95 ${timing.p95.toFixed(2)} ms`);
  }
  await client.end();

  const pgVersion = String((await pick(sql`select version() as v`)).v).split(" on ")[0];
  await handle.close();
  if (!process.env.BENCH_KEEP_DB) {
    const dropper = postgres(baseUrl, { max: 1, onnotice: () => {} });
    await dropper.unsafe(`drop database if exists "${DB_NAME}" with (force)`);
    await dropper.end();
  }

  const cpu = (() => {
    try {
      return execSync("lscpu | grep 'Model name' | sed 's/Model name:\\s*//'", { encoding: "utf8" }).trim();
    } catch {
      return os.cpus()[0]?.model ?? "unknown";
    }
  })();
  const lines = [
    "# Job history benchmark",
    "",
    `Date: ${new Date().toISOString().slice(0, 10)} · Command: \`npm run bench:history\` (BENCH_JOBS=${JOBS}, BENCH_ITERATIONS=${ITERATIONS})`,
    "",
    `Machine: ${os.cpus().length} vCPU (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, load at start ${os.loadavg()[0]!.toFixed(2)}; ${pgVersion} on loopback; Node ${process.version}.`,
    "",
    `Data: ${Number(counts.n).toLocaleString("en-US")} ai_jobs rows (${Number(counts.failed).toLocaleString("en-US")} failed) over 90 days, 50 users, 500 stories, 5 models; seeded in ${(seedMs / 1000).toFixed(1)} s with generate_series. Each case: 5 warm-up runs, then ${ITERATIONS} timed runs of the app's own query function (lib/ai/jobs/history.ts) through drizzle + postgres-js, page size 50 (51 rows fetched). Timings include the round trip and row mapping.`,
    "",
    "| Query | Rows | p50 (ms) | p95 (ms) | Plan (scan nodes) |",
    "| --- | ---: | ---: | ---: | --- |",
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.rows.toLocaleString("en-US")} | ${r.p50.toFixed(2)} | ${r.p95.toFixed(2)} | ${r.plan} |`,
    ),
    "",
    "Rows: jobs on the page for the list queries, jobs counted for the counts queries.",
    "",
  ];
  const out = path.join(import.meta.dirname, "..", "results", "history.md");
  fs.writeFileSync(out, lines.join("\n"));
  console.log(`\nwrote ${out}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
