import { and, eq, inArray, sql } from "drizzle-orm";
import { inngestQueue, inngestRuns, inngestSteps, type QueueKind, type StepStatus } from "./schema";
import { rowsOf, type Tx } from "./sql";
import type { SerializedError } from "./types";

/**
 * Step and queue transitions. Every function here runs inside a transaction that holds the run's row lock
 * (lockRun), which serializes all changes to one run across workers and processes: two parallel steps finishing
 * at once cannot both conclude "the other is still running" and leave the run stuck.
 */

export const OUTSTANDING_STEP_STATUSES = ["planned", "retrying", "sleeping", "invoking", "waiting"] as const;

export type LockedRun = Pick<
  typeof inngestRuns.$inferSelect,
  "id" | "functionId" | "status" | "event" | "concurrencyKeys" | "concurrencyLimits" | "parentRunId" | "parentStepId"
>;

/** A run row as raw SQL returns it (apply.ts locks the run in a combined statement). */
export interface LockedRunRow {
  id: string;
  function_id: string;
  status: LockedRun["status"];
  event: unknown;
  concurrency_keys: string[] | null;
  concurrency_limits: number[] | null;
  parent_run_id: string | null;
  parent_step_id: string | null;
}

export function lockedRunFromRow(row: LockedRunRow): LockedRun {
  return {
    id: row.id,
    functionId: row.function_id,
    status: row.status,
    event: typeof row.event === "string" ? JSON.parse(row.event) : row.event,
    concurrencyKeys: row.concurrency_keys ?? [],
    concurrencyLimits: (row.concurrency_limits ?? []).map(Number),
    parentRunId: row.parent_run_id,
    parentStepId: row.parent_step_id,
  };
}

export async function lockRun(tx: Tx, runId: string): Promise<LockedRun | undefined> {
  const [run] = await tx
    .select({
      id: inngestRuns.id,
      functionId: inngestRuns.functionId,
      status: inngestRuns.status,
      event: inngestRuns.event,
      concurrencyKeys: inngestRuns.concurrencyKeys,
      concurrencyLimits: inngestRuns.concurrencyLimits,
      parentRunId: inngestRuns.parentRunId,
      parentStepId: inngestRuns.parentStepId,
    })
    .from(inngestRuns)
    .where(eq(inngestRuns.id, runId))
    .for("update");
  return run;
}

export const isActive = (run: { status: string }) => run.status === "queued" || run.status === "running";

export interface QueueInsert {
  runId: string;
  kind: QueueKind;
  stepId?: string | null;
  attempt?: number;
  availableAt: Date;
  concurrencyKeys?: string[];
  concurrencyLimits?: number[];
}

/** Idempotent: a (run, kind, step) already queued is left as it is. */
export async function enqueue(tx: Tx, item: QueueInsert): Promise<void> {
  await enqueueAll(tx, [item]);
}

/** Queues several items in one statement (an item already queued is left as it is, as by enqueue). */
export async function enqueueAll(tx: Tx, items: readonly QueueInsert[]): Promise<void> {
  if (!items.length) return;
  await tx
    .insert(inngestQueue)
    .values(
      items.map((item) => ({
        runId: item.runId,
        kind: item.kind,
        stepId: item.stepId ?? null,
        attempt: item.attempt ?? 0,
        availableAt: item.availableAt,
        concurrencyKeys: item.concurrencyKeys ?? [],
        concurrencyLimits: item.concurrencyLimits ?? [],
      })),
    )
    .onConflictDoNothing();
}

/** Calls to the app carry the run's concurrency keys; timers (wake, timeout) do not occupy a slot. */
export function callItem(run: LockedRun, stepId: string | null, attempt: number, availableAt: Date): QueueInsert {
  return {
    runId: run.id,
    kind: "call",
    stepId,
    attempt,
    availableAt,
    concurrencyKeys: run.concurrencyKeys,
    concurrencyLimits: run.concurrencyLimits,
  };
}

/** A lease to put on an item as it is created, so the worker that created it can go on with it directly. */
export interface Lease {
  owner: string;
  until: Date;
}

const textArray = (values: string[]) =>
  sql`array[${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )}]::text[]`;
const intArray = (values: number[]) =>
  sql`array[${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )}]::integer[]`;

/**
 * The next discovery call is made only once every outstanding step (parallel group, sleep, invoke, wait) has
 * finished: the SDK then sees the whole group memoized, as it expects after StepPlanned. One statement (check and
 * insert). Returns the new item's id, or null when steps are still outstanding or the call is already queued.
 */
export async function enqueueDiscoveryIfIdle(tx: Tx, run: LockedRun, now: Date, lease?: Lease): Promise<number | null> {
  const rows = rowsOf<{ id: number | string }>(
    await tx.execute(sql`
      insert into ${inngestQueue} (run_id, kind, step_id, attempt, available_at, lease_until, lease_owner, concurrency_keys, concurrency_limits)
      select ${run.id}, 'call', null, 0, ${now.toISOString()}::timestamptz, ${lease ? lease.until.toISOString() : null}::timestamptz,
        ${lease?.owner ?? null}, ${textArray(run.concurrencyKeys)}, ${intArray(run.concurrencyLimits)}
      where not exists (
        select 1 from ${inngestSteps}
        where ${inngestSteps.runId} = ${run.id}
          and ${inngestSteps.status} in ('planned', 'retrying', 'sleeping', 'invoking', 'waiting')
      )
      on conflict do nothing
      returning id`),
  );
  return rows[0] ? Number(rows[0].id) : null;
}

export interface StepInfo {
  id: string;
  name: string;
  op: string;
  opts?: unknown;
}

/** Adds an outstanding step; returns false when the step is already known (planned earlier, or memoized). */
export async function addOutstandingStep(
  tx: Tx,
  runId: string,
  step: StepInfo,
  status: Exclude<StepStatus, "completed" | "failed" | "cancelled">,
): Promise<boolean> {
  const rows = await tx
    .insert(inngestSteps)
    .values({ runId, id: step.id, name: step.name, op: step.op, status, opts: step.opts ?? null })
    .onConflictDoNothing()
    .returning({ id: inngestSteps.id });
  return rows.length > 0;
}

/**
 * Records a step's final result (memoization). A result for a step that is already memoized is ignored — the
 * first recorded result wins, so a step that ran twice (crash, lost lease) still has exactly one outcome.
 */
export async function memoizeStep(
  tx: Tx,
  runId: string,
  step: StepInfo,
  result: { data: unknown } | { error: SerializedError },
  now: Date,
  attempts?: number,
  /** When the work behind the result began (the engine's call to the app); a step first seen now starts then. */
  startedAt?: Date,
): Promise<boolean> {
  const failed = "error" in result;
  const values = {
    status: (failed ? "failed" : "completed") as StepStatus,
    data: failed ? null : (result.data ?? null),
    error: failed ? result.error : null,
    // Completion order, computed in the statement (the run's lock makes it safe).
    seq: sql`(select coalesce(max(s.seq), 0) + 1 from ${inngestSteps} s where s.run_id = ${runId})`,
    endedAt: now,
    ...(attempts !== undefined ? { attempts } : {}),
  };
  const rows = await tx
    .insert(inngestSteps)
    .values({
      runId,
      id: step.id,
      name: step.name,
      op: step.op,
      opts: step.opts ?? null,
      createdAt: startedAt ?? now,
      ...values,
    })
    .onConflictDoUpdate({
      target: [inngestSteps.runId, inngestSteps.id],
      set: values,
      setWhere: sql`${inngestSteps.status} not in ('completed', 'failed')`,
    })
    .returning({ id: inngestSteps.id });
  return rows.length > 0;
}

/** A step failed but will be retried: keep its last error and attempt count visible. */
export async function markStepRetrying(
  tx: Tx,
  runId: string,
  step: StepInfo,
  attempts: number,
  error: SerializedError,
) {
  await tx
    .insert(inngestSteps)
    .values({
      runId,
      id: step.id,
      name: step.name,
      op: step.op,
      status: "retrying",
      attempts,
      error,
      opts: step.opts ?? null,
    })
    .onConflictDoUpdate({
      target: [inngestSteps.runId, inngestSteps.id],
      set: { status: "retrying", attempts, error },
      setWhere: sql`${inngestSteps.status} not in ('completed', 'failed')`,
    });
}

/** When a run ends, steps still outstanding will never finish. */
export async function cancelOutstandingSteps(tx: Tx, runId: string, now: Date): Promise<void> {
  await tx
    .update(inngestSteps)
    .set({ status: "cancelled", endedAt: now })
    .where(and(eq(inngestSteps.runId, runId), inArray(inngestSteps.status, [...OUTSTANDING_STEP_STATUSES])));
}

export async function deleteQueueItems(tx: Tx, runId: string): Promise<void> {
  await tx.delete(inngestQueue).where(eq(inngestQueue.runId, runId));
}
