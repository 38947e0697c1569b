import { and, eq, sql } from "drizzle-orm";
import { inngestAttempts, inngestQueue, inngestRuns, type QueueKind } from "./schema";
import type { EngineContext } from "./types";
import { endRun } from "./lifecycle";
import { rowsOf, type Tx } from "./sql";
import {
  enqueueDiscoveryIfIdle,
  isActive,
  lockedRunFromRow,
  lockRun,
  type LockedRun,
  type LockedRunRow,
} from "./steps";
import type { EventPayload, SerializedError } from "./types";

/**
 * Queue items as a worker holds them, and the transaction that consumes one: every result is recorded through
 * withItem, which checks that the worker still holds the item's lease.
 */

/** A memoized step as sent to the SDK: [hashed id, status, data, error], in completion order. */
export type MemoEntry = [string, "completed" | "failed", unknown, unknown];

/** What a call needs to know about its run: its function, event and memoized steps. */
export interface RunState {
  functionId: string;
  event: EventPayload;
  steps: MemoEntry[];
}

/** A queue item held by this worker under a lease. */
export interface ClaimedItem {
  id: number;
  runId: string;
  kind: QueueKind;
  stepId: string | null;
  attempt: number;
  /**
   * Set on a continuation: the run's state as this worker just recorded it. Only the holder of a run's discovery
   * call changes its memoized steps (nothing else is outstanding then), so it saves re-reading them.
   */
  state?: RunState;
}

/**
 * What applying an item led to: `next` is the run's next discovery call when it was created already leased to this
 * worker (a continuation), so the worker goes on with the run without another claim round trip.
 */
export interface Applied {
  applied: boolean;
  next: ClaimedItem | null;
}

/** The run's next discovery call, created leased to this worker, and the run state to go on with. */
export interface Continuation {
  id: number;
  state?: RunState;
}

/** The call's record in inngest_attempts, written in the same statement that consumes the item. */
export interface AttemptRecord {
  outcome: string;
  httpStatus: number | null;
  error: unknown;
  startedAt: Date;
  endedAt: Date;
}

/**
 * Runs `apply` in a transaction that holds the run's lock and consumes the item — but only if this worker still
 * holds its lease. A worker whose lease expired (it was too slow, or the process was presumed dead) finds the item
 * gone or re-leased and discards its result, so each item's outcome is recorded exactly once.
 * Locking the run, consuming the item and recording the attempt are one statement (this is the per-step hot path).
 */
export async function withItem(
  ctx: EngineContext,
  item: ClaimedItem,
  owner: string,
  apply: (tx: Tx, run: LockedRun, now: Date) => Promise<Continuation | null | undefined>,
  attempt?: AttemptRecord,
): Promise<Applied> {
  return ctx.db.transaction(async (tx) => {
    const recordAttempt = attempt
      ? sql`, attempt as (
          insert into ${inngestAttempts} (run_id, step_id, attempt, outcome, http_status, error, started_at, ended_at)
          select ${item.runId}, ${item.stepId}, ${item.attempt}, ${attempt.outcome}, ${attempt.httpStatus},
            ${attempt.error === null || attempt.error === undefined ? null : JSON.stringify(attempt.error)}::jsonb,
            ${attempt.startedAt.toISOString()}::timestamptz, ${attempt.endedAt.toISOString()}::timestamptz
          from taken
        )`
      : sql``;
    const [row] = rowsOf<LockedRunRow & { taken: boolean }>(
      await tx.execute(sql`
        with run as (
          select id, function_id, status, event, concurrency_keys, concurrency_limits, parent_run_id, parent_step_id
          from ${inngestRuns} where id = ${item.runId} for update
        ), taken as (
          delete from ${inngestQueue} where id = ${item.id} and lease_owner = ${owner} returning id
        )${recordAttempt}
        select run.*, exists (select 1 from taken) as taken from run`),
    );
    if (!row?.taken) return { applied: false, next: null };
    const run = lockedRunFromRow(row);
    if (!isActive(run)) return { applied: false, next: null };
    const next = await apply(tx, run, new Date());
    return {
      applied: true,
      next: next
        ? {
            id: next.id,
            runId: run.id,
            kind: "call",
            stepId: null,
            attempt: 0,
            ...(next.state ? { state: next.state } : {}),
          }
        : null,
    };
  });
}

/** Drops an item whose run has already ended. */
export async function discardItem(ctx: EngineContext, item: ClaimedItem, owner: string): Promise<void> {
  await ctx.db.delete(inngestQueue).where(and(eq(inngestQueue.id, item.id), eq(inngestQueue.leaseOwner, owner)));
}

/** Ends the item's run as failed without calling the app (e.g. its function is no longer served). */
export async function failRunForItem(
  ctx: EngineContext,
  item: ClaimedItem,
  owner: string,
  error: SerializedError,
): Promise<Applied> {
  return withItem(ctx, item, owner, async (tx, run, now) => {
    ctx.log("error", "inngest run cannot continue", {
      runId: run.id,
      functionId: run.functionId,
      error: error.message,
    });
    await endRun(ctx, tx, run, { status: "failed", error }, now);
  });
}

/** Ends a run as failed outside of any item (the fast path found a non-deterministic replay). */
export async function failRunById(ctx: EngineContext, runId: string, error: SerializedError): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const run = await lockRun(tx, runId);
    if (!run || !isActive(run)) return;
    ctx.log("error", "inngest run cannot continue", { runId, functionId: run.functionId, error: error.message });
    await endRun(ctx, tx, run, { status: "failed", error }, new Date());
  });
}

/** Queues the run's next discovery call if nothing is outstanding (a safety net; normally done in the same step). */
export async function ensureDiscovery(ctx: EngineContext, runId: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const run = await lockRun(tx, runId);
    if (run && isActive(run)) await enqueueDiscoveryIfIdle(tx, run, new Date());
  });
}
