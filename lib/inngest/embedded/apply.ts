import { and, eq, sql } from "drizzle-orm";
import { inngestAttempts, inngestEvents, inngestQueue, inngestRuns, inngestSteps, type QueueKind } from "@/db/engine-schema";
import { backoffDelay, retryAfterTime } from "./backoff";
import type { CallOutcome, CallResult } from "./call";
import type { EngineContext } from "./context";
import { sleepTarget } from "./durations";
import { compileExpression } from "./expressions";
import type { FunctionDef } from "./function-config";
import { findFunction } from "./function-store";
import { ulid } from "./ids";
import { endRun } from "./lifecycle";
import { createRun } from "./runs";
import { rowsOf, type Tx } from "./sql";
import {
  addOutstandingStep,
  callItem,
  enqueue,
  enqueueDiscoveryIfIdle,
  isActive,
  lockedRunFromRow,
  markStepRetrying,
  memoizeStep,
  type Lease,
  type LockedRun,
  type LockedRunRow,
  type StepInfo,
} from "./steps";
import { toSerializedError, type EventPayload, type OutgoingOp, type SerializedError } from "./types";

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
interface Continuation {
  id: number;
  state?: RunState;
}

/** The call's record in inngest_attempts, written in the same statement that consumes the item. */
interface AttemptRecord {
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
async function withItem(
  ctx: EngineContext,
  item: ClaimedItem,
  owner: string,
  apply: (tx: Tx, run: LockedRun, now: Date) => Promise<Continuation | null | void>,
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
      next: next ? { id: next.id, runId: run.id, kind: "call", stepId: null, attempt: 0, ...(next.state ? { state: next.state } : {}) } : null,
    };
  });
}

function outcomeLabel(outcome: CallOutcome): string {
  if (outcome.kind === "complete") return "completed";
  if (outcome.kind === "error") return outcome.unreachable ? "unreachable" : outcome.retriable ? "error" : "failed";
  const [first] = outcome.ops;
  if (outcome.ops.length === 1 && first) {
    return { StepRun: "step-ran", StepError: "step-error", StepFailed: "step-failed" }[first.op] ?? "steps-found";
  }
  return "steps-found";
}

export interface CallRecord {
  item: ClaimedItem;
  owner: string;
  /** Lease length for the run's next discovery call, to continue with it in this worker (see Applied). */
  continueLeaseMs?: number;
  fn: FunctionDef;
  result: CallResult;
  /** The run state the call was made with. */
  state: RunState;
  startedAt: Date;
  endedAt: Date;
}

/** Records what one call to the app produced and queues what follows. `applied` is false if the result was stale. */
export async function applyCallResult(ctx: EngineContext, rec: CallRecord): Promise<Applied> {
  const { item, fn, result } = rec;
  const { outcome } = result;
  const attempt: AttemptRecord = {
    outcome: outcomeLabel(outcome),
    httpStatus: outcome.status,
    error:
      outcome.kind === "error"
        ? outcome.error
        : outcome.kind === "ops"
          ? (outcome.ops.find((o) => o.error !== undefined && o.error !== null)?.error ?? null)
          : null,
    startedAt: rec.startedAt,
    endedAt: rec.endedAt,
  };
  return withItem(ctx, item, rec.owner, async (tx, run, now) => {
    if (outcome.kind === "complete") {
      await endRun(ctx, tx, run, { status: "completed", output: outcome.output }, now);
      return null;
    }
    if (outcome.kind === "error") {
      await handleCallError(ctx, tx, run, fn, item, outcome, result.retryAfter, now);
      return null;
    }
    const lease = rec.continueLeaseMs ? { owner: rec.owner, until: new Date(now.getTime() + rec.continueLeaseMs) } : undefined;
    return applyOps(ctx, tx, run, fn, item, outcome.ops, result.retryAfter, now, lease, rec.state);
  }, attempt);
}

function retryAt(ctx: EngineContext, attempt: number, retryAfter: string | null, now: Date): Date {
  return (
    retryAfterTime(retryAfter, now.getTime()) ??
    new Date(now.getTime() + backoffDelay(attempt, ctx.backoffBaseMs, ctx.backoffMaxMs))
  );
}

async function handleCallError(
  ctx: EngineContext,
  tx: Tx,
  run: LockedRun,
  fn: FunctionDef,
  item: ClaimedItem,
  outcome: Extract<CallOutcome, { kind: "error" }>,
  retryAfter: string | null,
  now: Date,
) {
  if (outcome.unreachable) {
    // The request never reached the app (it is starting or restarting): same attempt, a little later.
    const at = new Date(now.getTime() + backoffDelay(2, ctx.backoffBaseMs, 30_000));
    await enqueue(tx, callItem(run, item.stepId, item.attempt, at));
    ctx.log("warn", "inngest app unreachable, will call again", { runId: run.id, error: outcome.error.message });
    return;
  }
  const next = item.attempt + 1;
  if (outcome.retriable && next <= fn.retries) {
    const at = retryAt(ctx, item.attempt, retryAfter, now);
    await enqueue(tx, callItem(run, item.stepId, next, at));
    ctx.log("warn", "inngest function error, retrying", {
      runId: run.id,
      functionId: fn.id,
      attempt: next,
      retryAt: at.toISOString(),
      error: outcome.error.message,
    });
    return;
  }
  await endRun(ctx, tx, run, { status: "failed", error: outcome.error }, now);
}

function stepInfo(op: OutgoingOp, opts?: unknown): StepInfo {
  return { id: op.id, name: op.displayName || op.name || op.id, op: op.op, opts: opts ?? op.opts ?? null };
}

async function applyOps(
  ctx: EngineContext,
  tx: Tx,
  run: LockedRun,
  fn: FunctionDef,
  item: ClaimedItem,
  ops: OutgoingOp[],
  retryAfter: string | null,
  now: Date,
  lease?: Lease,
  state?: RunState,
): Promise<Continuation | null> {
  let progressed = false;
  // Results memoized by this reply, to hand the next call its state; null once an op did anything else.
  let memoized: MemoEntry[] | null = [];
  const fields = { runId: run.id, functionId: fn.id };
  for (const op of ops) {
    if (!op || typeof op.id !== "string" || typeof op.op !== "string") {
      await fail(ctx, tx, run, "InngestProtocolError", `The SDK returned an unreadable op: ${JSON.stringify(op)}`, now);
      return null;
    }
    const step = stepInfo(op);
    if (op.op !== "StepRun" && op.op !== "StepFailed" && op.op !== "StepError") memoized = null;
    switch (op.op) {
      case "StepRun": {
        if (await memoizeStep(tx, run.id, step, { data: op.data ?? null }, now)) {
          progressed = true;
          memoized?.push([op.id, "completed", op.data ?? null, null]);
        } else memoized = null;
        ctx.log("info", "inngest step completed", { ...fields, step: step.name });
        break;
      }
      case "StepFailed": {
        const error = toSerializedError(op.error);
        if (await memoizeStep(tx, run.id, step, { error }, now, item.attempt + 1)) {
          progressed = true;
          memoized?.push([op.id, "failed", null, error]);
        } else memoized = null;
        ctx.log("warn", "inngest step failed", { ...fields, step: step.name, error: error.message });
        break;
      }
      case "StepError": {
        progressed = true;
        const error = toSerializedError(op.error);
        const next = item.attempt + 1;
        if (next > fn.retries) {
          await memoizeStep(tx, run.id, step, { error }, now, next);
          memoized?.push([op.id, "failed", null, error]);
          ctx.log("warn", "inngest step failed", { ...fields, step: step.name, error: error.message });
          break;
        }
        memoized = null;
        const at = retryAt(ctx, item.attempt, retryAfter, now);
        await markStepRetrying(tx, run.id, step, next, error);
        await enqueue(tx, callItem(run, op.id, next, at));
        ctx.log("warn", "inngest step error, retrying", {
          ...fields,
          step: step.name,
          attempt: next,
          retryAt: at.toISOString(),
          error: error.message,
        });
        break;
      }
      case "StepPlanned": {
        if (await addOutstandingStep(tx, run.id, step, "planned")) {
          await enqueue(tx, callItem(run, op.id, 0, now));
          progressed = true;
        }
        break;
      }
      case "Sleep": {
        const until = sleepTarget(op.name ?? "", now.getTime());
        if (await addOutstandingStep(tx, run.id, stepInfo(op, { until: until.toISOString() }), "sleeping")) {
          await enqueue(tx, { runId: run.id, kind: "wake", stepId: op.id, availableAt: until });
          progressed = true;
          ctx.log("info", "inngest step sleeping", { ...fields, step: step.name, until: until.toISOString() });
        }
        break;
      }
      case "InvokeFunction": {
        if (await startInvoke(ctx, tx, run, op, now)) progressed = true;
        break;
      }
      case "WaitForEvent": {
        const opts = (op.opts ?? {}) as { timeout?: string; if?: string };
        try {
          if (opts.if) compileExpression(opts.if, ["event", "async"]);
        } catch (error) {
          await fail(ctx, tx, run, "UnsupportedExpressionError", (error as Error).message, now);
          return null;
        }
        const timeoutAt = sleepTarget(opts.timeout ?? "", now.getTime());
        const info = stepInfo(op, { event: op.name, if: opts.if ?? null, timeoutAt: timeoutAt.toISOString() });
        if (await addOutstandingStep(tx, run.id, info, "waiting")) {
          await enqueue(tx, { runId: run.id, kind: "timeout", stepId: op.id, availableAt: timeoutAt });
          progressed = true;
        }
        break;
      }
      default: {
        // AI gateway, fetch gateway, signals, defer, checkpointing…: outside what the engine implements. Fail the
        // run loudly rather than skip the step.
        await fail(ctx, tx, run, "UnsupportedStepError", `Step op "${op.op}" (${step.name}) is not supported by the embedded Inngest engine`, now);
        return null;
      }
    }
  }
  if (!progressed) {
    // Every op the SDK returned is already recorded: the function did not replay the same way (non-deterministic
    // code outside steps). Calling again would loop forever.
    await fail(ctx, tx, run, "InngestNonDeterminismError", "The function reported only steps that had already run; is the code outside steps deterministic?", now);
    return null;
  }
  const nextId = await enqueueDiscoveryIfIdle(tx, run, now, lease);
  if (nextId === null || !lease) return null;
  // Only a discovery call knows the whole memoized state: targeted step calls of a parallel group each started from
  // the state before the group.
  const known = state && memoized && item.stepId === null;
  return { id: nextId, ...(known ? { state: { ...state, steps: [...state.steps, ...memoized] } } : {}) };
}

async function fail(ctx: EngineContext, tx: Tx, run: LockedRun, name: string, message: string, now: Date) {
  ctx.log("error", "inngest run cannot continue", { runId: run.id, functionId: run.functionId, error: message });
  await endRun(ctx, tx, run, { status: "failed", error: { name, message } }, now);
}

/** step.invoke: start the target function as a child run; its end resolves this step (lifecycle.resolveInvoke). */
async function startInvoke(ctx: EngineContext, tx: Tx, run: LockedRun, op: OutgoingOp, now: Date): Promise<boolean> {
  const opts = (op.opts ?? {}) as { function_id?: string; payload?: { data?: Record<string, unknown>; v?: string }; timeout?: string };
  const functionId = opts.function_id ?? "";
  const added = await addOutstandingStep(tx, run.id, stepInfo(op, { function_id: functionId, timeout: opts.timeout ?? null }), "invoking");
  if (!added) return false;
  const target = await findFunction(tx, ctx.db, functionId);
  if (!target) {
    const error: SerializedError = { name: "Error", message: `step.invoke: function "${functionId}" is not registered` };
    await memoizeStep(tx, run.id, stepInfo(op), { error }, now);
    return true;
  }
  const event: EventPayload = {
    name: "inngest/function.invoked",
    data: opts.payload?.data ?? {},
    id: ulid(now.getTime()),
    ts: now.getTime(),
    ...(opts.payload?.v ? { v: opts.payload.v } : {}),
  };
  await tx.insert(inngestEvents).values({ id: event.id, name: event.name, data: event.data, ts: event.ts, receivedAt: now });
  const childRunId = await createRun(tx, { fn: target, event, eventId: event.id, parent: { runId: run.id, stepId: op.id }, now });
  await tx
    .update(inngestSteps)
    .set({ opts: { function_id: functionId, timeout: opts.timeout ?? null, run_id: childRunId } })
    .where(and(eq(inngestSteps.runId, run.id), eq(inngestSteps.id, op.id)));
  if (opts.timeout) {
    await enqueue(tx, { runId: run.id, kind: "timeout", stepId: op.id, availableAt: sleepTarget(opts.timeout, now.getTime()) });
  }
  ctx.log("info", "inngest step invoking", { runId: run.id, step: op.displayName ?? op.id, childRunId, target: functionId });
  return true;
}

/** A sleep ended, or an invoke / waitForEvent timed out. */
export async function applyTimer(ctx: EngineContext, item: ClaimedItem, owner: string, continueLeaseMs?: number): Promise<Applied> {
  return withItem(ctx, item, owner, async (tx, run, now) => {
    if (!item.stepId) return null;
    const [step] = await tx
      .select()
      .from(inngestSteps)
      .where(and(eq(inngestSteps.runId, run.id), eq(inngestSteps.id, item.stepId)));
    if (!step) return null;
    const info = { id: step.id, name: step.name, op: step.op, opts: step.opts };
    if (item.kind === "wake" && step.status === "sleeping") {
      await memoizeStep(tx, run.id, info, { data: null }, now);
    } else if (item.kind === "timeout" && step.status === "invoking") {
      const error = { name: "InngestInvokeTimeoutError", message: "Timed out waiting for invoked function to complete" };
      await memoizeStep(tx, run.id, info, { error }, now);
    } else if (item.kind === "timeout" && step.status === "waiting") {
      await memoizeStep(tx, run.id, info, { data: null }, now);
    } else return null;
    const lease = continueLeaseMs ? { owner, until: new Date(now.getTime() + continueLeaseMs) } : undefined;
    const nextId = await enqueueDiscoveryIfIdle(tx, run, now, lease);
    return nextId !== null && lease ? { id: nextId } : null;
  });
}

/** Drops an item whose run has already ended. */
export async function discardItem(ctx: EngineContext, item: ClaimedItem, owner: string): Promise<void> {
  await ctx.db.delete(inngestQueue).where(and(eq(inngestQueue.id, item.id), eq(inngestQueue.leaseOwner, owner)));
}

/** Ends the item's run as failed without calling the app (e.g. its function is no longer served). */
export async function failRunForItem(ctx: EngineContext, item: ClaimedItem, owner: string, error: SerializedError): Promise<Applied> {
  return withItem(ctx, item, owner, async (tx, run, now) => {
    ctx.log("error", "inngest run cannot continue", { runId: run.id, functionId: run.functionId, error: error.message });
    await endRun(ctx, tx, run, { status: "failed", error }, now);
  });
}
