import { and, eq } from "drizzle-orm";
import { activeFunctions } from "./function-store";
import { ulid } from "./ids";
import { inngestEvents, inngestQueue, inngestRuns, inngestSteps } from "./schema";
import type { Tx } from "./sql";
import {
  cancelOutstandingSteps,
  deleteQueueItems,
  enqueueDiscoveryIfIdle,
  isActive,
  lockRun,
  memoizeStep,
  type LockedRun,
} from "./steps";
import type { EngineContext, EventPayload, SerializedError } from "./types";

export type RunEnd =
  | { status: "completed"; output: unknown }
  | { status: "failed"; error: SerializedError }
  | { status: "cancelled"; error: SerializedError };

/**
 * Ends a run (its row must be locked): stores the result, drops its pending work, resolves the step.invoke that
 * started it, and emits the internal events other functions may listen to (inngest/function.failed drives onFailure).
 */
export async function endRun(ctx: EngineContext, tx: Tx, run: LockedRun, end: RunEnd, now: Date): Promise<void> {
  await tx
    .update(inngestRuns)
    .set({
      status: end.status,
      output: end.status === "completed" ? (end.output ?? null) : null,
      error: end.status === "completed" ? null : end.error,
      endedAt: now,
    })
    .where(eq(inngestRuns.id, run.id));
  await deleteQueueItems(tx, run.id);
  await cancelOutstandingSteps(tx, run.id, now);

  if (run.parentRunId && run.parentStepId) await resolveInvoke(tx, run.parentRunId, run.parentStepId, end, now);

  const event = run.event as EventPayload;
  const base = { function_id: run.functionId, run_id: run.id, event };
  if (end.status === "failed" && event.name !== "inngest/function.failed") {
    await emitInternalEvent(ctx, tx, "inngest/function.failed", { ...base, error: end.error }, now);
  }
  if (end.status === "cancelled") await emitInternalEvent(ctx, tx, "inngest/function.cancelled", base, now);
  await emitInternalEvent(
    ctx,
    tx,
    "inngest/function.finished",
    end.status === "completed" ? { ...base, result: end.output ?? null } : { ...base, error: end.error },
    now,
  );

  const fields = { runId: run.id, functionId: run.functionId };
  if (end.status === "completed") ctx.log("info", "inngest run completed", fields);
  else if (end.status === "failed") ctx.log("warn", "inngest run failed", { ...fields, error: end.error.message });
  else ctx.log("info", "inngest run cancelled", { ...fields, reason: end.error.message });
}

/** The parent's step.invoke memoizes the child's output, or its error when the child failed or was cancelled. */
async function resolveInvoke(tx: Tx, parentRunId: string, stepId: string, end: RunEnd, now: Date) {
  const parent = await lockRun(tx, parentRunId);
  if (!parent || !isActive(parent)) return;
  const [step] = await tx
    .select()
    .from(inngestSteps)
    .where(and(eq(inngestSteps.runId, parentRunId), eq(inngestSteps.id, stepId), eq(inngestSteps.status, "invoking")));
  if (!step) return;
  const result =
    end.status === "completed"
      ? { data: end.output ?? null }
      : end.status === "failed"
        ? { error: end.error }
        : { error: { name: "Error", message: `The invoked run was cancelled: ${end.error.message}` } };
  await memoizeStep(tx, parentRunId, { id: step.id, name: step.name, op: step.op, opts: step.opts }, result, now);
  await tx
    .delete(inngestQueue)
    .where(and(eq(inngestQueue.runId, parentRunId), eq(inngestQueue.kind, "timeout"), eq(inngestQueue.stepId, stepId)));
  await enqueueDiscoveryIfIdle(tx, parent, now);
}

/** Cancels a run if it is still queued or running; returns whether it was. */
export async function cancelRunInTx(
  ctx: EngineContext,
  tx: Tx,
  runId: string,
  reason: string,
  now: Date,
): Promise<boolean> {
  const run = await lockRun(tx, runId);
  if (!run || !isActive(run)) return false;
  await endRun(ctx, tx, run, { status: "cancelled", error: { name: "InngestRunCancelled", message: reason } }, now);
  return true;
}

/**
 * Internal events (inngest/function.failed, .finished, .cancelled) are stored and dispatched (ctx.dispatchEvent)
 * only when some function listens to them, so that ordinary runs do not each leave extra event rows behind.
 */
async function emitInternalEvent(
  ctx: EngineContext,
  tx: Tx,
  name: string,
  data: Record<string, unknown>,
  now: Date,
): Promise<void> {
  const functions = await activeFunctions(tx, ctx.db);
  const listened = functions.some(
    (fn) => fn.eventTriggers.some((t) => t.event === name) || fn.cancel.some((c) => c.event === name),
  );
  if (!listened) return;
  const event: EventPayload = { name, data, id: ulid(now.getTime()), ts: now.getTime() };
  await tx.insert(inngestEvents).values({ id: event.id, name, data, ts: event.ts, receivedAt: now });
  await ctx.dispatchEvent(ctx, tx, event, now);
}
