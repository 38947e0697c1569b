import { sql } from "drizzle-orm";
import type { EngineDb } from "@/lib/inngest/embedded/sql";

/** Row g's time: one row in 10 is a day old, the others 40 days; later g = later time, as in a real table. */
const AT = sql.raw(
  `(now() - case when g % 10 = 0 then interval '1 day' else interval '40 days' end + g * interval '1 ms')`,
);
/** One old run in 100 is still running (a long sleep): the purge must leave it, its steps and its event. */
const LIVE = sql.raw(`(g % 10 <> 0 and g % 100 = 1)`);
const DATA = sql.raw(`jsonb_build_object('jobId', md5(g::text)::uuid, 'storyId', md5((g % 997)::text)::uuid)`);

/**
 * The database retention finds after months of work, one generate_series statement per table: `events` events, each
 * with the run it started, `steps` steps per run and one call per step. Apart from them, `queued` running runs with a
 * due queue item each: the claim timed beside the purge takes from them.
 */
export async function fill(db: EngineDb, events: number, steps: number, queued: number): Promise<void> {
  await db.execute(sql`
    insert into inngest_events (id, name, data, ts, received_at)
    select 'e' || g, 'app/job.requested', ${DATA}, (extract(epoch from ${AT}) * 1000)::bigint, ${AT}
    from generate_series(1, ${events}) g`);
  await db.execute(sql`
    insert into inngest_runs (id, function_id, status, event, event_id, output, created_at, started_at, ended_at)
    select 'r' || g, 'story-sprout-run-ai-job', case when ${LIVE} then 'running' else 'completed' end,
      jsonb_build_object('name', 'app/job.requested', 'id', 'e' || g, 'ts', 0, 'data', ${DATA}),
      'e' || g, case when ${LIVE} then null else '{"status":"succeeded"}'::json end, ${AT}, ${AT},
      case when ${LIVE} then null else ${AT} + interval '2 s' end
    from generate_series(1, ${events}) g`);
  await db.execute(sql`
    insert into inngest_steps (run_id, id, name, op, status, data, attempts, seq, created_at, ended_at)
    select 'r' || g, 'step-' || s, 'step ' || s, 'StepRun', 'completed', '{"ok":true}'::json, 0, s, ${AT},
      ${AT} + interval '1 s'
    from generate_series(1, ${events}) g, generate_series(1, ${steps}) s`);
  await db.execute(sql`
    insert into inngest_attempts (run_id, step_id, attempt, outcome, http_status, started_at, ended_at)
    select 'r' || g, 'step-' || s, 0, 'steps', 206, ${AT}, ${AT} + interval '1 s'
    from generate_series(1, ${events}) g, generate_series(1, ${steps}) s`);
  await db.execute(sql`
    insert into inngest_runs (id, function_id, status, event, created_at, started_at)
    select 'q' || g, 'story-sprout-run-ai-job', 'running', '{}'::jsonb, now(), now() from generate_series(1, ${queued}) g`);
  await db.execute(sql`
    insert into inngest_queue (run_id, kind, step_id, attempt, available_at)
    select 'q' || g, 'call', 'next', 0, now() - interval '1 minute' from generate_series(1, ${queued}) g`);
  await db.execute(sql`analyze`);
}

/** Rows the purge must delete and must keep, counted before it runs. */
export function expectedCounts(events: number, steps: number) {
  let oldFinished = 0;
  for (let g = 1; g <= events; g++) if (g % 10 !== 0 && g % 100 !== 1) oldFinished++;
  return { runs: oldFinished, steps: oldFinished * steps, attempts: oldFinished * steps, events: oldFinished };
}
