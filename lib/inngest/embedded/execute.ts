import { eq, sql } from "drizzle-orm";
import { inngestRuns, inngestSteps } from "./schema";
import { applyCallResult } from "./apply";
import { callApp, callBody, type CallResult } from "./call";
import type { EngineContext } from "./types";
import type { LocalServeHandler } from "./local-serve";
import type { CheckpointDesk, ClosedCall } from "./checkpoint";
import { applyDiscoveryStep, fastPathOp } from "./fast-path";
import type { FunctionDef } from "./function-config";
import { findFunction } from "./function-store";
import {
  discardItem,
  ensureDiscovery,
  failRunById,
  failRunForItem,
  type Applied,
  type ClaimedItem,
  type MemoEntry,
  type RunState,
} from "./item";
import { processEngine } from "./process-engine";
import { releaseLeases } from "./queue";
import { completeRun, completionOutput } from "./run-complete";
import { applyTimer } from "./timers";
import { toSerializedError, type EventPayload } from "./types";

/** What executing an item needs from the engine instance that claimed it. */
export interface Worker {
  ctx: EngineContext;
  owner: string;
  serveUrl: string;
  /** The app's serve handler in this process, called instead of POSTing to serveUrl. */
  localServe?: LocalServeHandler | undefined;
  signingKey: string;
  requestTimeoutMs: number;
  /** Checkpointing of calls handed to the in-process serve handler (checkpoint.ts); off when absent. */
  desk?: CheckpointDesk | undefined;
  /** True once the engine is stopping (graceful shutdown). */
  stopping?: () => boolean;
}

/**
 * Executes one claimed item: a timer, or a call to the app — load the run's state (unless the worker carries it from
 * the previous call), build the signed request, call, record the reply.
 */
export async function executeItem(
  worker: Worker,
  item: ClaimedItem,
  continueLeaseMs: number | undefined,
): Promise<Applied> {
  if (item.kind !== "call") return applyTimer(worker.ctx, item, worker.owner, continueLeaseMs);
  const prepStart = Date.now();
  const db = worker.ctx.db;
  let state = item.state ?? (await loadRun(worker.ctx, item));
  if (!state) {
    await discardItem(worker.ctx, item, worker.owner);
    return { applied: false, next: null };
  }
  const fn = await findFunction(db, db, state.functionId);
  if (!fn) {
    return failRunForItem(worker.ctx, item, worker.owner, {
      name: "InngestFunctionNotFound",
      message: `Function "${state.functionId}" is no longer served by the app`,
    });
  }
  const startedAt = new Date();
  // Checkpoints reach the desk through this process's Inngest client (attached to an engine here), so only a call
  // handled in this process uses them.
  const desk = worker.localServe && item.stepId === null && processEngine() ? worker.desk : undefined;
  let queueItemId: string | undefined;
  let closed: ClosedCall | undefined;
  let result: CallResult;
  try {
    queueItemId = desk?.openCall(item.id, item.runId, item.attempt, startedAt);
    const body = callBody({
      runId: item.runId,
      attempt: item.attempt,
      maxAttempts: fn.retries + 1,
      event: state.event,
      steps: state.steps,
      targeted: item.stepId !== null,
      ...(queueItemId ? { checkpoint: { functionId: fn.id, queueItemId } } : {}),
    });
    result = await callApp({
      serveUrl: worker.serveUrl,
      functionId: fn.id,
      stepId: item.stepId ?? "step",
      body,
      signingKey: worker.signingKey,
      timeoutMs: worker.requestTimeoutMs,
      ...(worker.localServe ? { localServe: worker.localServe } : {}),
    });
  } finally {
    closed = queueItemId ? desk?.closeCall(queueItemId) : undefined;
  }
  const endedAt = new Date();
  if (closed?.unsupported) {
    return failRunForItem(worker.ctx, item, worker.owner, {
      name: "UnsupportedStepError",
      message: `Step op "${closed.unsupported}" is not supported by the embedded Inngest engine`,
    });
  }
  if (closed?.refused) {
    // The desk stopped the call (409): the SDK then answers as if the function failed for good, which it did not.
    // What was checkpointed is recorded; the rest goes on from there in the next call (another worker's, when the
    // lease was lost, or the next process's when this one is stopping).
    worker.ctx.log("info", "inngest call stopped at a checkpoint", { runId: item.runId, reason: closed.refused });
    await releaseLeases(worker.ctx.db, worker.owner, [item.id]);
    logCall(worker, item, prepStart, startedAt, endedAt);
    return { applied: false, next: null };
  }
  // Steps checkpointed during the call are memoized already: the state the call's answer is applied to has them.
  if (closed?.memoized.length) state = { ...state, steps: [...state.steps, ...closed.memoized] };
  if (result.outcome.kind === "error" && result.outcome.status === null && worker.stopping?.()) {
    // The server is shutting down and closed its listener (or the connection) under this call: no answer came back,
    // so nothing is recorded — no attempt used up — and the stopping engine hands the item back (its lease is
    // released) for the next process.
    worker.ctx.log("info", "inngest call interrupted by shutdown", { runId: item.runId });
    return { applied: false, next: null };
  }
  const applied = await record(worker, item, fn, result, state, startedAt, endedAt, continueLeaseMs);
  // A re-sent checkpoint found its step recorded already: the carried state may lack it, so the next call reads it.
  if (closed?.reload && applied.next?.state) delete applied.next.state;
  logCall(worker, item, prepStart, startedAt, endedAt);
  return applied;
}

/** One debug line per call that came back, recorded or not (tests wait for it). */
function logCall(worker: Worker, item: ClaimedItem, prepStart: number, startedAt: Date, endedAt: Date) {
  worker.ctx.log("debug", "inngest call", {
    runId: item.runId,
    step: item.stepId ?? "discovery",
    prepareMs: startedAt.getTime() - prepStart,
    callMs: endedAt.getTime() - startedAt.getTime(),
    recordMs: Date.now() - endedAt.getTime(),
  });
}

/**
 * Records a call's result: a run's completion or a discovery call's one step in a single statement when they apply
 * (run-complete.ts, fast-path.ts), the general transaction otherwise.
 */
async function record(
  worker: Worker,
  item: ClaimedItem,
  fn: FunctionDef,
  result: CallResult,
  state: RunState,
  startedAt: Date,
  endedAt: Date,
  continueLeaseMs: number | undefined,
): Promise<Applied> {
  const completion = completionOutput(result);
  if (completion) {
    const ended = await completeRun(worker.ctx, {
      item,
      owner: worker.owner,
      output: completion.output,
      httpStatus: result.outcome.status ?? 200,
      startedAt,
      endedAt,
    });
    if (ended === "ended") {
      worker.ctx.log("info", "inngest run completed", { runId: item.runId, functionId: fn.id });
      return { applied: true, next: null };
    }
    if (ended === "stale") return { applied: false, next: null };
  }
  const op = fastPathOp(item, result);
  if (!op) {
    return applyCallResult(worker.ctx, {
      item,
      owner: worker.owner,
      fn,
      result,
      state,
      startedAt,
      endedAt,
      ...(continueLeaseMs ? { continueLeaseMs } : {}),
    });
  }
  const fields = { runId: item.runId, functionId: fn.id, step: op.displayName || op.name || op.id };
  const applied = await applyDiscoveryStep(worker.ctx, {
    item,
    owner: worker.owner,
    op,
    state,
    httpStatus: result.outcome.status ?? 206,
    startedAt,
    endedAt,
    ...(continueLeaseMs ? { continueLeaseMs } : {}),
  });
  if (!applied.applied) {
    await discardItem(worker.ctx, item, worker.owner);
    return applied;
  }
  if (applied.repeated) {
    await failRunById(worker.ctx, item.runId, {
      name: "InngestNonDeterminismError",
      message: "The function reported only steps that had already run; is the code outside steps deterministic?",
    });
    return applied;
  }
  if (op.op === "StepFailed")
    worker.ctx.log("warn", "inngest step failed", { ...fields, error: toSerializedError(op.error).message });
  else worker.ctx.log("info", "inngest step completed", fields);
  if (applied.orphaned) await ensureDiscovery(worker.ctx, item.runId);
  return applied;
}

/** The run's event and memoized steps (completion order), in one query; null when the run has ended. */
async function loadRun(ctx: EngineContext, item: ClaimedItem): Promise<RunState | null> {
  const [run] = await ctx.db
    .select({
      functionId: inngestRuns.functionId,
      status: inngestRuns.status,
      event: inngestRuns.event,
      steps: sql<unknown>`coalesce((
        select json_agg(json_build_array(s.id, s.status, s.data, s.error) order by s.seq)
        from ${inngestSteps} s
        where s.run_id = ${item.runId} and s.status in ('completed', 'failed')
      ), '[]'::json)`,
    })
    .from(inngestRuns)
    .where(eq(inngestRuns.id, item.runId));
  if (!run || (run.status !== "queued" && run.status !== "running")) return null;
  const steps = (typeof run.steps === "string" ? JSON.parse(run.steps) : run.steps) as MemoEntry[];
  return { functionId: run.functionId, event: run.event as EventPayload, steps };
}
