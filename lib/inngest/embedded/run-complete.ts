import { sql } from "drizzle-orm";
import { activeFunctions } from "./function-store";
import type { ClaimedItem } from "./item";
import type { CallResult } from "./call";
import { inngestAttempts, inngestQueue, inngestRuns, inngestSteps } from "./schema";
import { rowsOf } from "./sql";
import { OUTSTANDING_STEP_STATUSES } from "./steps";
import type { EngineContext } from "./types";

/**
 * The last reply of most runs — the function returned (a 200, or a checkpointing call's `206 [RunComplete]`) — recorded
 * in one statement instead of endRun's transaction of six round trips: consume the item under its lease, record the
 * attempt, store the output, drop the run's other queue items and cancel its outstanding steps. Only for a run that
 * no step.invoke waits for and whose end no function listens to (inngest/function.finished); the rest goes through
 * apply.ts, which does the same plus those.
 */

/** The run's output when the reply is only its completion, else undefined. */
export function completionOutput(result: CallResult): { output: unknown } | undefined {
  const { outcome } = result;
  if (outcome.kind === "complete") return { output: outcome.output ?? null };
  if (outcome.kind === "ops" && outcome.ops.length === 1 && outcome.ops[0]?.op === "RunComplete")
    return { output: outcome.ops[0].data ?? null };
  return undefined;
}

/** Whether a function listens to runs ending (then endRun must store and dispatch the internal event). */
async function endIsListened(ctx: EngineContext): Promise<boolean> {
  const functions = await activeFunctions(ctx.db, ctx.db);
  return functions.some(
    (fn) =>
      fn.eventTriggers.some((t) => t.event === "inngest/function.finished") ||
      fn.cancel.some((c) => c.event === "inngest/function.finished"),
  );
}

export interface CompleteInput {
  item: ClaimedItem;
  owner: string;
  output: unknown;
  httpStatus: number;
  startedAt: Date;
  endedAt: Date;
}

/**
 * "ended": recorded. "stale": the item is not ours any more, or the run had already ended (nothing recorded).
 * "general": the run has a parent or its end is listened to — use apply.ts (nothing was changed).
 */
export async function completeRun(ctx: EngineContext, input: CompleteInput): Promise<"ended" | "stale" | "general"> {
  if (await endIsListened(ctx)) return "general";
  const { item } = input;
  const now = new Date();
  const outstanding = sql.join(
    OUTSTANDING_STEP_STATUSES.map((s) => sql`${s}`),
    sql`, `,
  );
  const [row] = rowsOf<{ has_parent: boolean | null; taken: boolean; ended: boolean }>(
    await ctx.db.execute(sql`
      with run as (
        select id, status, parent_run_id from ${inngestRuns} where id = ${item.runId} for update
      ), taken as (
        delete from ${inngestQueue} q
        where q.id = ${item.id} and q.lease_owner = ${input.owner}
          and not exists (select 1 from run where run.parent_run_id is not null)
        returning q.id
      ), attempt as (
        insert into ${inngestAttempts} (run_id, step_id, attempt, outcome, http_status, error, started_at, ended_at)
        select ${item.runId}, ${item.stepId}, ${item.attempt}, 'completed', ${input.httpStatus}, null,
          ${input.startedAt.toISOString()}::timestamptz, ${input.endedAt.toISOString()}::timestamptz
        from taken
      ), ended as (
        update ${inngestRuns} r set status = 'completed', output = ${JSON.stringify(input.output ?? null)}::json,
          error = null, ended_at = ${now.toISOString()}::timestamptz
        from taken, run
        where r.id = ${item.runId} and run.status in ('queued', 'running')
        returning r.id
      ), dropped as (
        -- These two read the snapshot from before the run's lock was waited for: while a discovery call is in flight
        -- nothing else adds queue items or steps to its run, so it is current.
        delete from ${inngestQueue} where run_id = ${item.runId} and id <> ${item.id} and exists (select 1 from ended)
      ), cancelled as (
        update ${inngestSteps} set status = 'cancelled', ended_at = ${now.toISOString()}::timestamptz
        where run_id = ${item.runId} and status in (${outstanding}) and exists (select 1 from ended)
      )
      select (select parent_run_id is not null from run) as has_parent,
        exists (select 1 from taken) as taken, exists (select 1 from ended) as ended`),
  );
  if (row?.has_parent) return "general";
  return row?.ended ? "ended" : "stale";
}
