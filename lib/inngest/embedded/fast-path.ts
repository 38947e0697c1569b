import { sql } from "drizzle-orm";
import { inngestAttempts, inngestQueue, inngestRuns, inngestSteps } from "./schema";
import type { Applied, ClaimedItem, MemoEntry, RunState } from "./item";
import type { CallResult } from "./call";
import type { EngineContext } from "./types";
import { rowsOf } from "./sql";
import { toSerializedError, type OutgoingOp } from "./types";

/**
 * The hot path of a sequential function: a discovery call whose reply is one step that ran (StepRun, or StepFailed).
 * Consuming the item, recording the attempt, memoizing the step and queueing the next discovery call (leased to this
 * worker) are one statement instead of a five-round-trip transaction. Everything else goes through apply.ts.
 *
 * Why only discovery calls: the statement's "no step outstanding" check reads the snapshot taken when the statement
 * began, before it waited for the run's lock. While a discovery call is in flight nothing else can add or finish a
 * step of the run (no step is outstanding, by construction), so that snapshot is current. Targeted calls of a parallel
 * group can finish together and must re-read after the lock — apply.ts does, statement by statement.
 */
export function fastPathOp(item: ClaimedItem, result: CallResult): OutgoingOp | null {
  if (item.kind !== "call" || item.stepId !== null || result.outcome.kind !== "ops") return null;
  const [op] = result.outcome.ops;
  if (result.outcome.ops.length !== 1 || !op || typeof op.id !== "string") return null;
  return op.op === "StepRun" || op.op === "StepFailed" ? op : null;
}

export interface FastPathInput {
  item: ClaimedItem;
  owner: string;
  op: OutgoingOp;
  state: RunState;
  httpStatus: number;
  startedAt: Date;
  endedAt: Date;
  /** Lease the next discovery call to this worker for this long (a continuation); unleased when absent. */
  continueLeaseMs?: number;
}

export type FastPathResult = Applied & {
  /** The item was consumed but the step was already memoized: the caller must fail the run (non-determinism). */
  repeated?: boolean;
  /** The step was memoized but no discovery call was queued: the caller must queue it (should not happen). */
  orphaned?: boolean;
};

export async function applyDiscoveryStep(ctx: EngineContext, input: FastPathInput): Promise<FastPathResult> {
  const { item, op } = input;
  const now = new Date();
  const failed = op.op === "StepFailed";
  const error = failed ? toSerializedError(op.error) : null;
  const data = failed ? null : (op.data ?? null);
  const name = op.displayName || op.name || op.id;
  const leaseUntil = input.continueLeaseMs ? new Date(now.getTime() + input.continueLeaseMs).toISOString() : null;
  const rows = rowsOf<{ taken: number | string; memoized: number | string; next_id: number | string | null }>(
    await ctx.db.execute(sql`
      with run as (
        select id, status, concurrency_keys, concurrency_limits from ${inngestRuns} where id = ${item.runId} for update
      ), taken as (
        delete from ${inngestQueue} q using run
        where q.id = ${item.id} and q.lease_owner = ${input.owner} and run.status in ('queued', 'running')
        returning q.id
      ), attempt as (
        insert into ${inngestAttempts} (run_id, step_id, attempt, outcome, http_status, error, started_at, ended_at)
        select ${item.runId}, null, ${item.attempt}, ${failed ? "step-failed" : "step-ran"}, ${input.httpStatus},
          ${error ? JSON.stringify(error) : null}::jsonb, ${input.startedAt.toISOString()}::timestamptz,
          ${input.endedAt.toISOString()}::timestamptz
        from taken
      ), step as (
        insert into ${inngestSteps} (run_id, id, name, op, status, data, error, attempts, seq, opts, created_at, ended_at)
        select ${item.runId}, ${op.id}, ${name}, ${op.op}, ${failed ? "failed" : "completed"},
          ${failed ? null : JSON.stringify(data)}::json, ${error ? JSON.stringify(error) : null}::json,
          ${failed ? item.attempt + 1 : 0},
          (select coalesce(max(s.seq), 0) + 1 from ${inngestSteps} s where s.run_id = ${item.runId}),
          ${op.opts ? JSON.stringify(op.opts) : null}::jsonb, ${input.startedAt.toISOString()}::timestamptz,
          ${input.endedAt.toISOString()}::timestamptz
        from taken
        on conflict (run_id, id) do update
          set status = excluded.status, data = excluded.data, error = excluded.error, attempts = excluded.attempts,
            seq = excluded.seq, ended_at = excluded.ended_at
          where ${inngestSteps}.status not in ('completed', 'failed')
        returning id
      ), next as (
        insert into ${inngestQueue} (run_id, kind, step_id, attempt, available_at, lease_until, lease_owner, concurrency_keys, concurrency_limits)
        select run.id, 'call', null, 0, ${now.toISOString()}::timestamptz, ${leaseUntil}::timestamptz,
          ${leaseUntil ? input.owner : null}, run.concurrency_keys, run.concurrency_limits
        from run, step
        where not exists (
          select 1 from ${inngestSteps} s
          where s.run_id = ${item.runId} and s.id <> ${op.id}
            and s.status in ('planned', 'retrying', 'sleeping', 'invoking', 'waiting')
        )
        on conflict do nothing
        returning id
      )
      select (select count(*) from taken) as taken, (select count(*) from step) as memoized, (select id from next) as next_id`),
  );
  const row = rows[0];
  if (!row || Number(row.taken) === 0) return { applied: false, next: null };
  if (Number(row.memoized) === 0) return { applied: true, next: null, repeated: true };
  if (row.next_id === null || row.next_id === undefined) return { applied: true, next: null, orphaned: true };
  const entry: MemoEntry = failed ? [op.id, "failed", null, error] : [op.id, "completed", data, null];
  const next: ClaimedItem = { id: Number(row.next_id), runId: item.runId, kind: "call", stepId: null, attempt: 0 };
  return {
    applied: true,
    next: leaseUntil ? { ...next, state: { ...input.state, steps: [...input.state.steps, entry] } } : null,
  };
}
