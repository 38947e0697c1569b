import { and, eq } from "drizzle-orm";
import { inngestEvents, inngestSteps } from "./schema";
import type { EngineContext } from "./types";
import { sleepTarget } from "./durations";
import { findFunction } from "./function-store";
import { ulid } from "./ids";
import { createRun } from "./runs";
import type { Tx } from "./sql";
import { addOutstandingStep, enqueue, memoizeStep, type LockedRun, type StepInfo } from "./steps";
import type { EventPayload, OutgoingOp, SerializedError } from "./types";

function stepInfo(op: OutgoingOp, opts?: unknown): StepInfo {
  return { id: op.id, name: op.displayName || op.name || op.id, op: op.op, opts: opts ?? op.opts ?? null };
}

/** step.invoke: start the target function as a child run; its end resolves this step (lifecycle.resolveInvoke). */
export async function startInvoke(
  ctx: EngineContext,
  tx: Tx,
  run: LockedRun,
  op: OutgoingOp,
  now: Date,
): Promise<boolean> {
  const opts = (op.opts ?? {}) as {
    function_id?: string;
    payload?: { data?: Record<string, unknown>; v?: string };
    timeout?: string;
  };
  const functionId = opts.function_id ?? "";
  const added = await addOutstandingStep(
    tx,
    run.id,
    stepInfo(op, { function_id: functionId, timeout: opts.timeout ?? null }),
    "invoking",
  );
  if (!added) return false;
  const target = await findFunction(tx, ctx.db, functionId);
  if (!target) {
    const error: SerializedError = {
      name: "Error",
      message: `step.invoke: function "${functionId}" is not registered`,
    };
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
  await tx
    .insert(inngestEvents)
    .values({ id: event.id, name: event.name, data: event.data, ts: event.ts, receivedAt: now });
  const childRunId = await createRun(tx, {
    fn: target,
    event,
    eventId: event.id,
    parent: { runId: run.id, stepId: op.id },
    now,
  });
  await tx
    .update(inngestSteps)
    .set({ opts: { function_id: functionId, timeout: opts.timeout ?? null, run_id: childRunId } })
    .where(and(eq(inngestSteps.runId, run.id), eq(inngestSteps.id, op.id)));
  if (opts.timeout) {
    await enqueue(tx, {
      runId: run.id,
      kind: "timeout",
      stepId: op.id,
      availableAt: sleepTarget(opts.timeout, now.getTime()),
    });
  }
  ctx.log("info", "inngest step invoking", {
    runId: run.id,
    step: op.displayName ?? op.id,
    childRunId,
    target: functionId,
  });
  return true;
}
