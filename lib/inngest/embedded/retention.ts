import { and, asc, inArray, sql } from "drizzle-orm";
import { IDEMPOTENCY_WINDOW_MS } from "./intake";
import type { RunDetail } from "./query";
import { inngestAttempts, inngestEvents, inngestQueue, inngestRuns, inngestSteps } from "./schema";
import { rowsOf, type EngineDb, type Tx } from "./sql";

/**
 * Retention: finished runs (with their steps, calls and leftover queue items) and old events are deleted in small
 * transactions, so the engine's tables stop growing with every job. Runs that are queued or running (sleeping and
 * waiting runs are `running`) are never touched. Events stay at least as long as the 24-hour duplicate-event window.
 */

/**
 * Called with a batch of runs, in the transaction that deletes them, before anything is deleted: what the embedder
 * wants to keep of them is written through `tx` (the same database), so the copy commits with the deletion or not
 * at all. Throwing aborts the batch: nothing is deleted, and the sweep stops until the next interval.
 */
export type BeforePurgeHook = (runs: RunDetail[], tx: Tx) => Promise<void>;

export interface RetentionOptions {
  /** Finished runs whose end is older than this are purged (ms); 0 turns retention off. */
  retentionMs: number;
  /** Runs (or events) per transaction (default 1000). */
  batchSize?: number;
  /** Pause between two batches, so a long purge never holds the database for long (default 100 ms). */
  pauseMs?: number;
  /** First sweep this long after the engine started (default 5 min), then every intervalMs (default 1 h). */
  initialDelayMs?: number;
  intervalMs?: number;
  beforePurge?: BeforePurgeHook;
}

export interface SweepResult {
  runs: number;
  steps: number;
  attempts: number;
  queueItems: number;
  events: number;
  batches: number;
  /** Another instance held the purge lock: this sweep left the work to it. */
  skipped: boolean;
}

/** One key for the whole engine: a batch runs under it, so two instances never purge at the same moment. */
const LOCK_KEY = "inngest_engine_retention";
const FINISHED = ["completed", "failed", "cancelled"] as const;

async function tryLock(tx: Tx): Promise<boolean> {
  const [row] = rowsOf<{ ok: boolean }>(
    await tx.execute(sql`select pg_try_advisory_xact_lock(hashtextextended(${LOCK_KEY}, 0)) as ok`),
  );
  return row?.ok === true;
}

interface BatchCounts {
  runs: number;
  steps: number;
  attempts: number;
  queueItems: number;
}

/** One transaction: up to `limit` finished runs ended before `cutoff`, handed to the hook, then deleted. */
export async function purgeRunBatch(
  db: EngineDb,
  cutoff: Date,
  limit: number,
  beforePurge?: BeforePurgeHook,
): Promise<BatchCounts | null> {
  return db.transaction(async (tx) => {
    if (!(await tryLock(tx))) return null;
    const iso = cutoff.toISOString();
    // created_at < cutoff keeps the scan on the runs' time index (a run cannot end before it was created).
    const runs = await tx
      .select()
      .from(inngestRuns)
      .where(
        and(
          inArray(inngestRuns.status, [...FINISHED]),
          sql`${inngestRuns.createdAt} < ${iso}::timestamptz`,
          sql`${inngestRuns.endedAt} < ${iso}::timestamptz`,
        ),
      )
      .orderBy(asc(inngestRuns.createdAt))
      .limit(limit)
      .for("update", { skipLocked: true });
    if (!runs.length) return { runs: 0, steps: 0, attempts: 0, queueItems: 0 };
    const ids = runs.map((r) => r.id);
    if (beforePurge) {
      const [steps, attempts] = await Promise.all([
        tx.select().from(inngestSteps).where(inArray(inngestSteps.runId, ids)),
        tx.select().from(inngestAttempts).where(inArray(inngestAttempts.runId, ids)).orderBy(asc(inngestAttempts.id)),
      ]);
      // The same shape and order as query.ts getRun / runsForEvent, so a copy reads like the original.
      const details: RunDetail[] = runs.map((run) => ({
        run,
        steps: steps
          .filter((s) => s.runId === run.id)
          .sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity) || a.createdAt.getTime() - b.createdAt.getTime()),
        attempts: attempts.filter((a) => a.runId === run.id),
      }));
      await beforePurge(details, tx);
    }
    const deleted = async (table: typeof inngestSteps | typeof inngestAttempts | typeof inngestQueue) =>
      (await tx.delete(table).where(inArray(table.runId, ids)).returning({ runId: table.runId })).length;
    const steps = await deleted(inngestSteps);
    const attempts = await deleted(inngestAttempts);
    const queueItems = await deleted(inngestQueue);
    await tx.delete(inngestRuns).where(inArray(inngestRuns.id, ids));
    return { runs: ids.length, steps, attempts, queueItems };
  });
}

/** One transaction: up to `limit` events received before `cutoff` whose run, if any, has ended. */
export async function purgeEventBatch(db: EngineDb, cutoff: Date, limit: number): Promise<number | null> {
  return db.transaction(async (tx) => {
    if (!(await tryLock(tx))) return null;
    const rows = rowsOf<{ id: string }>(
      await tx.execute(sql`
        delete from ${inngestEvents} where ${inngestEvents.id} in (
          select e.id from ${inngestEvents} e
          where e.received_at < ${cutoff.toISOString()}::timestamptz
            and not exists (
              select 1 from ${inngestRuns} r
              where r.event_id = e.id and r.status in ('queued', 'running'))
          order by e.received_at
          limit ${limit}
          for update skip locked)
        returning ${inngestEvents.id} as id`),
    );
    return rows.length;
  });
}

/** Events are kept at least as long as a duplicate of them is recognised (intake.ts). */
export function eventCutoff(now: Date, retentionMs: number): Date {
  return new Date(now.getTime() - Math.max(retentionMs, IDEMPOTENCY_WINDOW_MS));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Purges everything past retention, batch after batch with a pause between them, until nothing is left or `stopping`
 * says so. A hook failure propagates (after the batch rolled back).
 */
export async function sweepRetention(
  db: EngineDb,
  options: RetentionOptions,
  { now = new Date(), stopping = () => false }: { now?: Date; stopping?: () => boolean } = {},
): Promise<SweepResult> {
  const result: SweepResult = { runs: 0, steps: 0, attempts: 0, queueItems: 0, events: 0, batches: 0, skipped: false };
  if (!(options.retentionMs > 0)) return result;
  const limit = options.batchSize ?? 1000;
  const pauseMs = options.pauseMs ?? 100;
  const runCutoff = new Date(now.getTime() - options.retentionMs);
  for (;;) {
    if (stopping()) return result;
    const batch = await purgeRunBatch(db, runCutoff, limit, options.beforePurge);
    if (!batch) return { ...result, skipped: true };
    result.batches++;
    result.runs += batch.runs;
    result.steps += batch.steps;
    result.attempts += batch.attempts;
    result.queueItems += batch.queueItems;
    if (batch.runs < limit) break;
    await sleep(pauseMs);
  }
  const cutoff = eventCutoff(now, options.retentionMs);
  for (;;) {
    if (stopping()) return result;
    const events = await purgeEventBatch(db, cutoff, limit);
    if (events === null) return { ...result, skipped: true };
    result.batches++;
    result.events += events;
    if (events < limit) break;
    await sleep(pauseMs);
  }
  return result;
}
