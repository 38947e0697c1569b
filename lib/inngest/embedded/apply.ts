import { backoffDelay, retryAfterTime } from "./backoff";
import type { CallOutcome, CallResult } from "./call";
import type { EngineContext } from "./types";
import { sleepTarget } from "./durations";
import { compileExpression } from "./expressions";
import type { FunctionDef } from "./function-config";
import { startInvoke } from "./invoke";
import {
  withItem,
  type Applied,
  type AttemptRecord,
  type ClaimedItem,
  type Continuation,
  type MemoEntry,
  type RunState,
} from "./item";
import { endRun } from "./lifecycle";
import type { Tx } from "./sql";
import {
  addOutstandingStep,
  callItem,
  enqueue,
  enqueueDiscoveryIfIdle,
  markStepRetrying,
  memoizeStep,
  type Lease,
  type LockedRun,
  type StepInfo,
} from "./steps";
import { toSerializedError, type OutgoingOp } from "./types";

/**
 * Records what one call to the app produced — the run's result, an error to retry, or the ops of a 206 reply
 * (memoized steps, planned steps, sleeps, invokes, waits) — and queues what follows.
 */

function outcomeLabel(outcome: CallOutcome): string {
  if (outcome.kind === "complete") return "completed";
  if (outcome.kind === "error") return outcome.unreachable ? "unreachable" : outcome.retriable ? "error" : "failed";
  const [first] = outcome.ops;
  if (outcome.ops.at(-1)?.op === "RunComplete") return "completed";
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
  return withItem(
    ctx,
    item,
    rec.owner,
    async (tx, run, now) => {
      if (outcome.kind === "complete") {
        await endRun(ctx, tx, run, { status: "completed", output: outcome.output }, now);
        return null;
      }
      if (outcome.kind === "error") {
        await handleCallError(ctx, tx, run, fn, item, outcome, result.retryAfter, now);
        return null;
      }
      const lease = rec.continueLeaseMs
        ? { owner: rec.owner, until: new Date(now.getTime() + rec.continueLeaseMs) }
        : undefined;
      return applyOps(ctx, tx, run, fn, item, outcome.ops, result.retryAfter, now, lease, rec.state, rec.startedAt);
    },
    attempt,
  );
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
  /** When the call that returned these ops started: a step run by it took from then. */
  callStartedAt?: Date,
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
        if (await memoizeStep(tx, run.id, step, { data: op.data ?? null }, now, undefined, callStartedAt)) {
          progressed = true;
          memoized?.push([op.id, "completed", op.data ?? null, null]);
        } else memoized = null;
        ctx.log("info", "inngest step completed", { ...fields, step: step.name });
        break;
      }
      case "StepFailed": {
        const error = toSerializedError(op.error);
        if (await memoizeStep(tx, run.id, step, { error }, now, item.attempt + 1, callStartedAt)) {
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
          await memoizeStep(tx, run.id, step, { error }, now, next, callStartedAt);
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
      case "RunComplete": {
        // A checkpointing call ends with the function's return value as an op (checkpoint.ts) instead of a 200.
        await endRun(ctx, tx, run, { status: "completed", output: op.data ?? null }, now);
        return null;
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
        await fail(
          ctx,
          tx,
          run,
          "UnsupportedStepError",
          `Step op "${op.op}" (${step.name}) is not supported by the embedded Inngest engine`,
          now,
        );
        return null;
      }
    }
  }
  if (!progressed) {
    // Every op the SDK returned is already recorded: the function did not replay the same way (non-deterministic
    // code outside steps). Calling again would loop forever.
    await fail(
      ctx,
      tx,
      run,
      "InngestNonDeterminismError",
      "The function reported only steps that had already run; is the code outside steps deterministic?",
      now,
    );
    return null;
  }
  const nextId = await enqueueDiscoveryIfIdle(tx, run, now, lease);
  if (nextId === null || !lease) return null;
  // Only a discovery call knows the whole memoized state: targeted step calls of a parallel group each started from
  // the state before the group.
  if (state && memoized && item.stepId === null)
    return { id: nextId, state: { ...state, steps: [...state.steps, ...memoized] } };
  return { id: nextId };
}

async function fail(ctx: EngineContext, tx: Tx, run: LockedRun, name: string, message: string, now: Date) {
  ctx.log("error", "inngest run cannot continue", { runId: run.id, functionId: run.functionId, error: message });
  await endRun(ctx, tx, run, { status: "failed", error: { name, message } }, now);
}
