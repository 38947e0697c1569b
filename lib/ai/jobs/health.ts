import { sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db";
import { jobTypeKinds } from "../job-types/kinds";

/**
 * What the ledger says about the service's health: per model, the calls of the last window with their error rate and
 * latency; and the jobs that look stuck. Read from the database (like the metrics), so every instance answers the same.
 */

export interface ModelHealth {
  provider: string;
  model: string;
  /** Jobs of the window that called the model (started), finished or not. */
  calls: number;
  succeeded: number;
  /** Failures other than a cancel: provider errors, timeouts, refused output. */
  failed: number;
  errorRate: number;
  /** From start to completion of the succeeded calls, in ms; null when none succeeded. */
  p50Ms: number | null;
  p95Ms: number | null;
  lastErrorCode: string | null;
  lastErrorAt: Date | null;
}

export type StuckReason = "running_silent" | "pending_long";

export interface StuckJob {
  id: string;
  jobType: string;
  status: "pending" | "running";
  reason: StuckReason;
  /** Since the last sign of life (running) or since the request (pending), in ms. */
  ageMs: number;
  /** When a retry is scheduled, the job is waiting on purpose. */
  retryAt: Date | null;
}

export interface LedgerHealth {
  windowMs: number;
  models: ModelHealth[];
  stuck: StuckJob[];
  pending: number;
  /** Age of the oldest pending job in ms (0 when none). */
  oldestPendingMs: number;
}

export interface LedgerHealthOptions {
  windowMs?: number;
  /** A running job that has not been updated for this long is reported. */
  silentAfterMs?: number;
  /** A job pending for this long is reported. */
  pendingAfterMs?: number;
  /** At most this many stuck jobs are listed (oldest first). */
  stuckLimit?: number;
}

export const HEALTH_DEFAULTS = {
  windowMs: 60 * 60_000,
  silentAfterMs: 5 * 60_000,
  pendingAfterMs: 10 * 60_000,
  stuckLimit: 20,
} as const;

const modelJobTypes = Object.entries(jobTypeKinds)
  .filter(([, kind]) => kind === "model")
  .map(([type]) => type);

type Row = Record<string, unknown>;
async function rows(db: Db, query: SQL): Promise<Row[]> {
  const result = (await db.execute(query)) as unknown as Row[] | { rows: Row[] };
  return Array.isArray(result) ? result : result.rows;
}

const seconds = (ms: number) => ms / 1000;
const numberOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const dateOrNull = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));

export async function ledgerHealth(db: Db, options: LedgerHealthOptions = {}): Promise<LedgerHealth> {
  const { windowMs, silentAfterMs, pendingAfterMs, stuckLimit } = { ...HEALTH_DEFAULTS, ...options };
  const types = sql.join(
    modelJobTypes.map((t) => sql`${t}`),
    sql`, `,
  );
  const [modelRows, stuckRows, pendingRows] = await Promise.all([
    // created_at bounds the scan (ai_jobs_created_idx); a job started in the window was created shortly before it.
    rows(
      db,
      sql`select provider, model,
            count(*)::int as calls,
            count(*) filter (where status = 'succeeded')::int as succeeded,
            count(*) filter (where status = 'failed' and coalesce(error_code, '') <> 'CANCELLED')::int as failed,
            percentile_cont(0.5) within group (order by extract(epoch from (completed_at - started_at)) * 1000)
              filter (where status = 'succeeded') as p50,
            percentile_cont(0.95) within group (order by extract(epoch from (completed_at - started_at)) * 1000)
              filter (where status = 'succeeded') as p95,
            (array_agg(error_code order by completed_at desc) filter (where status = 'failed'
              and coalesce(error_code, '') <> 'CANCELLED'))[1] as last_error_code,
            max(completed_at) filter (where status = 'failed' and coalesce(error_code, '') <> 'CANCELLED')
              as last_error_at
          from ai_jobs
          where created_at > now() - make_interval(secs => ${seconds(windowMs)})
            and started_at is not null
            and job_type in (${types})
          group by provider, model
          order by calls desc, provider, model`,
    ),
    rows(
      db,
      sql`select id, job_type, status, retry_at,
            extract(epoch from (now() - case when status = 'running' then updated_at else created_at end)) * 1000
              as age
          from ai_jobs
          where (status = 'running' and updated_at < now() - make_interval(secs => ${seconds(silentAfterMs)}))
             or (status = 'pending' and created_at < now() - make_interval(secs => ${seconds(pendingAfterMs)}))
          order by age desc
          limit ${stuckLimit}`,
    ),
    rows(
      db,
      sql`select count(*)::int as n,
            coalesce(extract(epoch from (now() - min(created_at))) * 1000, 0) as oldest
          from ai_jobs where status = 'pending'`,
    ),
  ]);
  return {
    windowMs,
    models: modelRows.map((r) => {
      const calls = Number(r.calls);
      const failed = Number(r.failed);
      return {
        provider: String(r.provider),
        model: String(r.model),
        calls,
        succeeded: Number(r.succeeded),
        failed,
        errorRate: calls ? failed / calls : 0,
        p50Ms: numberOrNull(r.p50),
        p95Ms: numberOrNull(r.p95),
        lastErrorCode: (r.last_error_code as string | null) ?? null,
        lastErrorAt: dateOrNull(r.last_error_at),
      };
    }),
    stuck: stuckRows.map((r) => ({
      id: String(r.id),
      jobType: String(r.job_type),
      status: r.status as "pending" | "running",
      reason: r.status === "running" ? "running_silent" : "pending_long",
      ageMs: Math.round(Number(r.age)),
      retryAt: dateOrNull(r.retry_at),
    })),
    pending: Number(pendingRows[0]?.n ?? 0),
    oldestPendingMs: Math.max(0, Math.round(Number(pendingRows[0]?.oldest ?? 0))),
  };
}
