import { and, asc, eq, inArray, isNotNull, isNull, lt, lte, min, or, sql } from "drizzle-orm";
import type { EngineDb } from "./sql";
import { inngestQueue, inngestRuns } from "./schema";
import type { ClaimedItem } from "./item";
import { rowsOf } from "./sql";
import type { EventPayload } from "./types";

export interface ClaimOptions {
  owner: string;
  max: number;
  leaseMs: number;
  /** A call held back by a full concurrency key is looked at again after this delay. */
  recheckMs: number;
}

export interface Claimed extends ClaimedItem {
  functionId?: string;
  startedRun: boolean;
}

/**
 * Claims due items for this worker. Candidates are locked with FOR UPDATE SKIP LOCKED, so processes claiming at
 * the same time take disjoint items. Concurrency keys are checked under a transaction-scoped advisory lock per key
 * (taken in sorted order): two processes cannot both see a free slot for the same key, so a limit is never
 * exceeded even across instances. A slot is held by a leased item; an expired lease frees it.
 */
export async function claimItems(db: EngineDb, opts: ClaimOptions): Promise<Claimed[]> {
  const now = new Date();
  return db.transaction(async (tx) => {
    const candidates = await tx
      .select({
        id: inngestQueue.id,
        runId: inngestQueue.runId,
        kind: inngestQueue.kind,
        stepId: inngestQueue.stepId,
        attempt: inngestQueue.attempt,
        keys: inngestQueue.concurrencyKeys,
        limits: inngestQueue.concurrencyLimits,
      })
      .from(inngestQueue)
      .where(
        and(lte(inngestQueue.availableAt, now), or(isNull(inngestQueue.leaseUntil), lt(inngestQueue.leaseUntil, now))),
      )
      .orderBy(asc(inngestQueue.availableAt), asc(inngestQueue.id))
      .limit(opts.max * 2 + 8)
      .for("update", { skipLocked: true });
    if (!candidates.length) return [];

    const keys = [...new Set(candidates.flatMap((c) => c.keys))].sort();
    const active = new Map<string, number>();
    if (keys.length) {
      for (const key of keys) await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`);
      const keyList = sql.join(
        keys.map((k) => sql`${k}`),
        sql`, `,
      );
      const counts = rowsOf<{ k: string; n: number | string }>(
        await tx.execute(sql`
          select k, count(*) as n
          from ${inngestQueue}, unnest(${inngestQueue.concurrencyKeys}) as k
          where ${inngestQueue.leaseUntil} >= ${now.toISOString()}::timestamptz and ${inngestQueue.concurrencyKeys} && array[${keyList}]::text[]
          group by k`),
      );
      for (const row of counts) active.set(row.k, Number(row.n));
    }

    const taken: typeof candidates = [];
    const blocked: number[] = [];
    for (const c of candidates) {
      if (taken.length >= opts.max) break;
      const free = c.keys.every((key, i) => (active.get(key) ?? 0) < (c.limits[i] ?? Infinity));
      if (!free) {
        blocked.push(c.id);
        continue;
      }
      for (const key of c.keys) active.set(key, (active.get(key) ?? 0) + 1);
      taken.push(c);
    }

    if (blocked.length) {
      // Move held-back items aside for a moment so they do not fill every claim window ahead of runnable work.
      await tx
        .update(inngestQueue)
        .set({ availableAt: new Date(now.getTime() + opts.recheckMs) })
        .where(inArray(inngestQueue.id, blocked));
    }
    if (!taken.length) return [];
    await tx
      .update(inngestQueue)
      .set({ leaseUntil: new Date(now.getTime() + opts.leaseMs), leaseOwner: opts.owner })
      .where(
        inArray(
          inngestQueue.id,
          taken.map((t) => t.id),
        ),
      );
    const calls = taken.filter((t) => t.kind === "call").map((t) => t.runId);
    const started = calls.length
      ? await tx
          .update(inngestRuns)
          .set({ status: "running", startedAt: now })
          .where(and(inArray(inngestRuns.id, calls), eq(inngestRuns.status, "queued")))
          .returning({ id: inngestRuns.id, functionId: inngestRuns.functionId, event: inngestRuns.event })
      : [];
    const startedById = new Map(started.map((r) => [r.id, r]));
    return taken.map((t) => {
      const run = startedById.get(t.runId);
      return {
        id: t.id,
        runId: t.runId,
        kind: t.kind,
        stepId: t.stepId,
        attempt: t.attempt,
        startedRun: run !== undefined,
        ...(run ? { functionId: run.functionId } : {}),
        // A run starting now has memoized nothing yet: its first call needs no separate read of the run's state.
        ...(run && t.kind === "call" && t.stepId === null
          ? { state: { functionId: run.functionId, event: run.event as EventPayload, steps: [] } }
          : {}),
      };
    });
  });
}

/** Extends the leases of the items this worker is still working on. */
export async function renewLeases(db: EngineDb, owner: string, ids: number[], leaseMs: number): Promise<void> {
  if (!ids.length) return;
  await db
    .update(inngestQueue)
    .set({ leaseUntil: new Date(Date.now() + leaseMs) })
    .where(and(eq(inngestQueue.leaseOwner, owner), inArray(inngestQueue.id, ids)));
}

/** Gives back items this worker claimed but will not process (shutdown). */
export async function releaseLeases(db: EngineDb, owner: string, ids: number[]): Promise<void> {
  if (!ids.length) return;
  await db
    .update(inngestQueue)
    .set({ leaseUntil: null, leaseOwner: null })
    .where(and(eq(inngestQueue.leaseOwner, owner), inArray(inngestQueue.id, ids)));
}

/** Every lease an instance holds, released when it stops: another instance (or its restart) takes the items at once. */
export async function releaseOwnedLeases(db: EngineDb, owner: string): Promise<number> {
  const rows = await db
    .update(inngestQueue)
    .set({ leaseUntil: null, leaseOwner: null })
    .where(eq(inngestQueue.leaseOwner, owner))
    .returning({ id: inngestQueue.id });
  return rows.length;
}

/**
 * PGlite is opened by one process only (the directory lock), so at start every lease in it belongs to a process
 * that is gone: release them at once instead of waiting for them to expire.
 */
export async function releaseAllLeases(db: EngineDb): Promise<number> {
  const rows = await db
    .update(inngestQueue)
    .set({ leaseUntil: null, leaseOwner: null })
    .where(isNotNull(inngestQueue.leaseUntil))
    .returning({ id: inngestQueue.id });
  return rows.length;
}

/** When the next unleased item falls due (null when the queue is empty), to sleep exactly until then. */
export async function nextDueAt(db: EngineDb): Promise<Date | null> {
  const [row] = await db
    .select({ at: min(inngestQueue.availableAt) })
    .from(inngestQueue)
    .where(isNull(inngestQueue.leaseUntil));
  return row?.at ? new Date(row.at) : null;
}
