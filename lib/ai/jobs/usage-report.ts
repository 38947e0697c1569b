import { sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db";

/**
 * Usage aggregates over the job ledger for a date range [from, to): per day, per model, per requester, per scope
 * and per error code. Latency is completed_at - created_at (what a person waited, queue included) over finished
 * jobs; percentiles are computed by PostgreSQL (percentile_cont), not sampled. This is the admin usage report; the
 * per-requester sums behind spending budgets are lib/ai/spending.ts.
 */

const USAGE_MAX_DAYS = 366;
const DAY_MS = 86_400_000;

const blankToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

export const usageRangeSchema = z
  .object({
    from: z.preprocess(blankToUndefined, z.coerce.date({ message: "Use a date such as 2025-01-31." }).optional()),
    to: z.preprocess(blankToUndefined, z.coerce.date({ message: "Use a date such as 2025-01-31." }).optional()),
  })
  .transform(({ from, to }, ctx) => {
    // Default: the last 30 days, today included (to = the start of tomorrow, UTC).
    const end = to ?? new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS + DAY_MS);
    const start = from ?? new Date(end.getTime() - 30 * DAY_MS);
    if (start >= end)
      ctx.addIssue({ code: "custom", message: "The start of the range must be before its end.", path: ["to"] });
    if (end.getTime() - start.getTime() > USAGE_MAX_DAYS * DAY_MS) {
      ctx.addIssue({ code: "custom", message: `A range can span at most ${USAGE_MAX_DAYS} days.`, path: ["from"] });
    }
    return { from: start, to: end };
  });

export type UsageRange = z.output<typeof usageRangeSchema>;

interface UsageTotals {
  jobs: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  active: number;
  /** succeeded / (succeeded + failed); cancelled jobs were a person's choice, not a failure. Null with no outcome. */
  successRate: number | null;
  inputTokens: number;
  outputTokens: number;
  /** Null when none of the jobs had a price (an unpriced model): unknown, not $0. */
  costUsd: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** Generation cache: jobs answered from it (no model call), jobs that called the model after a lookup, new takes. */
  cacheHits: number;
  cacheMisses: number;
  cacheFresh: number;
}

interface UsageDay {
  /** YYYY-MM-DD (UTC). */
  day: string;
  jobs: number;
  succeeded: number;
  failed: number;
  tokens: number;
  /** Null when none of the jobs had a price (an unpriced model): unknown, not $0. */
  costUsd: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface UsageGroup {
  key: string | null;
  jobs: number;
  succeeded: number;
  failed: number;
  tokens: number;
  /** Null when none of the jobs had a price (an unpriced model): unknown, not $0. */
  costUsd: number | null;
  p50Ms: number | null;
}

export interface UsageReport {
  range: UsageRange;
  totals: UsageTotals;
  days: UsageDay[];
  models: UsageGroup[];
  users: UsageGroup[];
  scopes: UsageGroup[];
  errors: { code: string; count: number }[];
}

const latency = sql`extract(epoch from (completed_at - created_at)) * 1000`;
const finished = sql`completed_at is not null`;
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

type Row = Record<string, unknown>;

async function rows(db: Db, query: SQL): Promise<Row[]> {
  const result = (await db.execute(query)) as unknown as Row[] | { rows: Row[] };
  return Array.isArray(result) ? result : result.rows;
}

function inRange(range: UsageRange): SQL {
  return sql`created_at >= ${range.from.toISOString()}::timestamptz and created_at < ${range.to.toISOString()}::timestamptz`;
}

const groupColumns = sql`
  count(*)::int as jobs,
  count(*) filter (where status = 'succeeded')::int as succeeded,
  count(*) filter (where status = 'failed')::int as failed,
  coalesce(sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0)), 0)::bigint as tokens,
  sum(cost_usd)::float8 as cost,
  percentile_cont(0.5) within group (order by ${latency}) filter (where ${finished}) as p50`;

function toGroup(r: Row): UsageGroup {
  return {
    key: (r.key as string | null) ?? null,
    jobs: num(r.jobs),
    succeeded: num(r.succeeded),
    failed: num(r.failed),
    tokens: num(r.tokens),
    costUsd: numOrNull(r.cost),
    p50Ms: numOrNull(r.p50),
  };
}

async function groupBy(db: Db, range: UsageRange, column: SQL, limit: number): Promise<UsageGroup[]> {
  const result = await rows(
    db,
    sql`select ${column} as key, ${groupColumns} from ai_jobs where ${inRange(range)}
        group by 1 order by count(*) desc, 1 limit ${limit}`,
  );
  return result.map(toGroup);
}

export async function usageReport(
  db: Db,
  range: UsageRange,
  options: { groupLimit?: number } = {},
): Promise<UsageReport> {
  const groupLimit = options.groupLimit ?? 20;
  const [totalRows, dayRows, models, users, scopes, errorRows] = await Promise.all([
    rows(
      db,
      sql`select count(*)::int as jobs,
            count(*) filter (where status = 'succeeded')::int as succeeded,
            count(*) filter (where status = 'failed')::int as failed,
            count(*) filter (where status = 'cancelled')::int as cancelled,
            count(*) filter (where status in ('pending', 'running'))::int as active,
            coalesce(sum(input_tokens), 0)::bigint as input_tokens,
            coalesce(sum(output_tokens), 0)::bigint as output_tokens,
            sum(cost_usd)::float8 as cost,
            percentile_cont(0.5) within group (order by ${latency}) filter (where ${finished}) as p50,
            percentile_cont(0.95) within group (order by ${latency}) filter (where ${finished}) as p95,
            percentile_cont(0.99) within group (order by ${latency}) filter (where ${finished}) as p99,
            count(*) filter (where reused_from is not null)::int as cache_hits,
            count(*) filter (where cache_key is not null and started_at is not null and reused_from is null and not fresh)::int as cache_misses,
            count(*) filter (where cache_key is not null and started_at is not null and fresh)::int as cache_fresh
          from ai_jobs where ${inRange(range)}`,
    ),
    rows(
      db,
      sql`select to_char(date_trunc('day', created_at at time zone 'UTC'), 'YYYY-MM-DD') as day, ${groupColumns},
            percentile_cont(0.95) within group (order by ${latency}) filter (where ${finished}) as p95
          from ai_jobs where ${inRange(range)} group by 1 order by 1`,
    ),
    groupBy(db, range, sql`model`, groupLimit),
    groupBy(db, range, sql`requested_by::text`, groupLimit),
    groupBy(db, range, sql`scope_id::text`, groupLimit),
    rows(
      db,
      sql`select error_code as code, count(*)::int as count from ai_jobs
          where ${inRange(range)} and error_code is not null group by 1 order by 2 desc, 1 limit 50`,
    ),
  ]);
  const t = totalRows[0] ?? {};
  const succeeded = num(t.succeeded);
  const failed = num(t.failed);
  const totals: UsageTotals = {
    jobs: num(t.jobs),
    succeeded,
    failed,
    cancelled: num(t.cancelled),
    active: num(t.active),
    successRate: succeeded + failed === 0 ? null : succeeded / (succeeded + failed),
    inputTokens: num(t.input_tokens),
    outputTokens: num(t.output_tokens),
    costUsd: numOrNull(t.cost),
    p50Ms: numOrNull(t.p50),
    p95Ms: numOrNull(t.p95),
    p99Ms: numOrNull(t.p99),
    cacheHits: num(t.cache_hits),
    cacheMisses: num(t.cache_misses),
    cacheFresh: num(t.cache_fresh),
  };
  const byDay = new Map(dayRows.map((r) => [String(r.day), r]));
  const days: UsageDay[] = [];
  // Every day of the range, zero where nothing ran, so a chart's gaps are visible rather than closed up.
  for (let d = Math.floor(range.from.getTime() / DAY_MS) * DAY_MS; d < range.to.getTime(); d += DAY_MS) {
    const day = new Date(d).toISOString().slice(0, 10);
    const r = byDay.get(day);
    const g = r ? toGroup(r) : null;
    days.push({
      day,
      jobs: g?.jobs ?? 0,
      succeeded: g?.succeeded ?? 0,
      failed: g?.failed ?? 0,
      tokens: g?.tokens ?? 0,
      costUsd: g ? g.costUsd : 0,
      p50Ms: g?.p50Ms ?? null,
      p95Ms: r ? numOrNull(r.p95) : null,
    });
  }
  return {
    range,
    totals,
    days,
    models,
    users,
    scopes,
    errors: errorRows.map((r) => ({ code: String(r.code), count: num(r.count) })),
  };
}
