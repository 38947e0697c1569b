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
  /** After each committed batch: what it deleted and how long its transaction took (logs, benchmarks). */
  onBatch?: (batch: { kind: "runs" | "events"; rows: number; ms: number }) => void;
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

async function tryLock(tx: Tx): Promise<boolean> {
  const [row] = rowsOf<{ ok: boolean }>(
    await tx.execute(sql`select pg_try_advisory_xact_lock(hashtextextended(${LOCK_KEY}, 0)) as ok`),
  );
  return row?.ok === true;
}

/**
 * Where the previous batch stopped: (time, id) of its last row, as text so that PostgreSQL's microseconds survive.
 * Each batch reads the next rows in index order from there instead of walking again over what it already passed
 * (rows it deleted, still in the index until vacuum, and rows it kept).
 */
export interface Cursor {
  at: string;
  id: string;
}

interface BatchCounts {
  runs: number;
  steps: number;
  attempts: number;
  queueItems: number;
  next: Cursor | null;
}

const after = (column: string, cursor: Cursor | null) =>
  cursor ? sql`and (${sql.raw(column)}, id) > (${cursor.at}::timestamptz, ${cursor.id})` : sql``;

/**
 * One transaction: up to `limit` finished runs that ended before `cutoff` (after `cursor`), handed to the hook, then
 * deleted with their steps, calls and queue items. Null when another instance holds the purge lock.
 */
export async function purgeRunBatch(
  db: EngineDb,
  cutoff: Date,
  limit: number,
  beforePurge?: BeforePurgeHook,
  cursor: Cursor | null = null,
): Promise<BatchCounts | null> {
  return db.transaction(async (tx) => {
    if (!(await tryLock(tx))) return null;
    // Served by inngest_runs_ended_idx (ended_at, id) where finished: live runs are not even in it.
    const picked = rowsOf<{ id: string; at: string }>(
      await tx.execute(sql`
        select id, ended_at::text as at from ${inngestRuns}
        where status in ('completed', 'failed', 'cancelled') and ended_at < ${cutoff.toISOString()}::timestamptz
          ${after("ended_at", cursor)}
        order by ended_at, id
        limit ${limit}
        for update skip locked`),
    );
    const last = picked[picked.length - 1];
    const next = last ? { at: last.at, id: last.id } : null;
    if (!picked.length) return { runs: 0, steps: 0, attempts: 0, queueItems: 0, next };
    const ids = picked.map((r) => r.id);
    if (beforePurge) {
      const [runs, steps, attempts] = await Promise.all([
        tx.select().from(inngestRuns).where(inArray(inngestRuns.id, ids)).orderBy(asc(inngestRuns.createdAt)),
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
    return { runs: ids.length, steps, attempts, queueItems, next };
  });
}

/**
 * One transaction: the next `limit` events received before `cutoff` (after `cursor`), of which those whose run has
 * ended (or that started none) are deleted. `seen` counts them all, so a batch of events of live runs moves on.
 */
export async function purgeEventBatch(
  db: EngineDb,
  cutoff: Date,
  limit: number,
  cursor: Cursor | null = null,
): Promise<{ events: number; seen: number; next: Cursor | null } | null> {
  return db.transaction(async (tx) => {
    if (!(await tryLock(tx))) return null;
    const picked = rowsOf<{ id: string; at: string }>(
      await tx.execute(sql`
        select id, received_at::text as at from ${inngestEvents}
        where received_at < ${cutoff.toISOString()}::timestamptz ${after("received_at", cursor)}
        order by received_at, id
        limit ${limit}
        for update skip locked`),
    );
    const last = picked[picked.length - 1];
    const next = last ? { at: last.at, id: last.id } : null;
    if (!picked.length) return { events: 0, seen: 0, next };
    const ids = picked.map((r) => r.id);
    const live = await tx
      .select({ eventId: inngestRuns.eventId })
      .from(inngestRuns)
      .where(and(inArray(inngestRuns.eventId, ids), inArray(inngestRuns.status, ["queued", "running"])));
    const keep = new Set(live.map((r) => r.eventId));
    const gone = ids.filter((id) => !keep.has(id));
    if (gone.length) await tx.delete(inngestEvents).where(inArray(inngestEvents.id, gone));
    return { events: gone.length, seen: ids.length, next };
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
  let cursor: Cursor | null = null;
  for (;;) {
    if (stopping()) return result;
    const started = performance.now();
    const batch: BatchCounts | null = await purgeRunBatch(db, runCutoff, limit, options.beforePurge, cursor);
    if (!batch) return { ...result, skipped: true };
    options.onBatch?.({
      kind: "runs",
      rows: batch.runs + batch.steps + batch.attempts + batch.queueItems,
      ms: performance.now() - started,
    });
    result.batches++;
    result.runs += batch.runs;
    result.steps += batch.steps;
    result.attempts += batch.attempts;
    result.queueItems += batch.queueItems;
    if (batch.runs < limit) break;
    cursor = batch.next;
    await sleep(pauseMs);
  }
  const cutoff = eventCutoff(now, options.retentionMs);
  cursor = null;
  for (;;) {
    if (stopping()) return result;
    const started = performance.now();
    const batch: Awaited<ReturnType<typeof purgeEventBatch>> = await purgeEventBatch(db, cutoff, limit, cursor);
    if (!batch) return { ...result, skipped: true };
    options.onBatch?.({ kind: "events", rows: batch.events, ms: performance.now() - started });
    result.batches++;
    result.events += batch.events;
    if (batch.seen < limit) break;
    cursor = batch.next;
    await sleep(pauseMs);
  }
  return result;
}
