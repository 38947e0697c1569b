import { Registry, type Metric } from "prom-client";
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db";
import { aiJobStatuses, aiJobTypes } from "@/db/ai-schema";

/**
 * Prometheus metrics read from the database at scrape time rather than counted in memory: the ledger and the
 * engine's attempt table are the truth, shared by every app instance, and survive restarts, so any instance answers
 * the same. The totals only grow (jobs are not deleted), so they are exposed as counters and rate() works.
 */

/** Latency buckets in seconds: generation takes seconds, a queue backlog minutes. */
const LATENCY_BUCKETS = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600];

type Row = Record<string, unknown>;
async function rows(db: Db, query: SQL): Promise<Row[]> {
  const result = (await db.execute(query)) as unknown as Row[] | { rows: Row[] };
  return Array.isArray(result) ? result : result.rows;
}

interface MetricValue {
  value: number;
  labels?: Record<string, string | number>;
  metricName?: string;
}

/** A metric whose values are computed by `values` at scrape time (prom-client formats it). */
function collected(
  name: string,
  help: string,
  type: "gauge" | "counter" | "histogram",
  values: () => Promise<MetricValue[]>,
): Metric {
  return {
    name,
    get: async () => ({ name, help, type, values: await values(), aggregator: "sum" }),
  } as unknown as Metric;
}

/** Retried calls per workflow function, from whichever engine runs the functions (the embedded one reports its own). */
export type EngineRetries = () => Promise<{ functionId: string; retries: number }[]>;

export function buildMetricsRegistry(db: Db, engineRetries: EngineRetries = async () => []): Registry {
  const registry = new Registry();

  registry.registerMetric(
    collected("storysprout_ai_jobs", "AI jobs in the ledger by status and type.", "gauge", async () => {
      const found = await rows(db, sql`select status, job_type, count(*)::int as n from ai_jobs group by 1, 2`);
      const byKey = new Map(found.map((r) => [`${r.status}|${r.job_type}`, Number(r.n)]));
      // Every combination, zeros included: a series that disappears reads as "no data", not as zero.
      return aiJobStatuses.flatMap((status) =>
        aiJobTypes.map((jobType) => ({
          value: byKey.get(`${status}|${jobType}`) ?? 0,
          labels: { status, job_type: jobType },
        })),
      );
    }),
  );

  registry.registerMetric(
    collected(
      "storysprout_ai_cache_lookups_total",
      "Generation cache lookups of AI jobs by outcome: hit (an earlier result reused, no model call), miss (the model " +
        "was called), fresh (a new take: the cache was not read). Counted when a job starts (a Generate records its key " +
        "when requested).",
      "counter",
      async () => {
        const [r] = await rows(
          db,
          sql`select count(*) filter (where reused_from is not null)::int as hit,
                     count(*) filter (where reused_from is null and not fresh)::int as miss,
                     count(*) filter (where fresh)::int as fresh
              from ai_jobs where cache_key is not null and started_at is not null`,
        );
        return (["hit", "miss", "fresh"] as const).map((outcome) => ({
          value: Number(r?.[outcome] ?? 0),
          labels: { outcome },
        }));
      },
    ),
  );

  registry.registerMetric(
    collected("storysprout_ai_queue_depth", "AI jobs waiting to start (status pending).", "gauge", async () => {
      const [r] = await rows(db, sql`select count(*)::int as n from ai_jobs where status = 'pending'`);
      return [{ value: Number(r?.n ?? 0) }];
    }),
  );

  registry.registerMetric(
    collected(
      "storysprout_ai_job_duration_seconds",
      "Time from request to completion of finished AI jobs (queue included), by job type.",
      "histogram",
      async () => {
        const bucketColumns = sql.join(
          LATENCY_BUCKETS.map((b, i) => sql`count(*) filter (where d <= ${b})::int as ${sql.raw(`b${i}`)}`),
          sql`, `,
        );
        const found = await rows(
          db,
          sql`select job_type, ${bucketColumns}, count(*)::int as n, coalesce(sum(d), 0)::float8 as s
              from (select job_type, extract(epoch from (completed_at - created_at))::float8 as d
                    from ai_jobs where completed_at is not null) j
              group by job_type`,
        );
        const values: MetricValue[] = [];
        for (const r of found) {
          const jobType = String(r.job_type);
          for (const [i, b] of LATENCY_BUCKETS.entries()) {
            values.push({
              metricName: "storysprout_ai_job_duration_seconds_bucket",
              labels: { job_type: jobType, le: b },
              value: Number(r[`b${i}`]),
            });
          }
          values.push({
            metricName: "storysprout_ai_job_duration_seconds_bucket",
            labels: { job_type: jobType, le: "+Inf" },
            value: Number(r.n),
          });
          values.push({
            metricName: "storysprout_ai_job_duration_seconds_sum",
            labels: { job_type: jobType },
            value: Number(r.s),
          });
          values.push({
            metricName: "storysprout_ai_job_duration_seconds_count",
            labels: { job_type: jobType },
            value: Number(r.n),
          });
        }
        return values;
      },
    ),
  );

  registry.registerMetric(
    collected("storysprout_ai_tokens_total", "Tokens used by AI jobs, by direction and model.", "counter", async () => {
      const found = await rows(
        db,
        sql`select model, coalesce(sum(input_tokens), 0)::float8 as i, coalesce(sum(output_tokens), 0)::float8 as o
            from ai_jobs group by model`,
      );
      return found.flatMap((r) => [
        { value: Number(r.i), labels: { direction: "input", model: String(r.model) } },
        { value: Number(r.o), labels: { direction: "output", model: String(r.model) } },
      ]);
    }),
  );

  registry.registerMetric(
    collected(
      "storysprout_ai_cost_usd_total",
      "Estimated cost of AI jobs in US dollars, by model.",
      "counter",
      async () => {
        const found = await rows(
          db,
          sql`select model, coalesce(sum(cost_usd), 0)::float8 as c from ai_jobs group by model`,
        );
        return found.map((r) => ({ value: Number(r.c), labels: { model: String(r.model) } }));
      },
    ),
  );

  registry.registerMetric(
    collected(
      "storysprout_engine_retries_total",
      "Calls the workflow engine made again after a failed attempt (attempt > 0), by function.",
      "counter",
      async () => {
        return (await engineRetries()).map((r) => ({ value: r.retries, labels: { function_id: r.functionId } }));
      },
    ),
  );

  return registry;
}
