import { and, asc, eq, inArray, isNotNull, isNull, lt, lte, min, or, type SQL, sql } from "drizzle-orm";
import type { EngineDb, Tx } from "./sql";
import { inngestQueue, inngestRuns } from "./schema";
import type { ClaimedItem } from "./item";
import { rowsOf } from "./sql";
import type { EventPayload } from "./types";
import { WAKE_CHANNEL } from "./wake-channel";

export interface ClaimOptions {
  owner: string;
  max: number;
  leaseMs: number;
  /**
   * A call held back by a full concurrency key is parked on that key: made due again by wakeParked when a slot of
   * the key frees, or after this delay at the latest (a safety net for a wake lost to a crash).
   */
  recheckMs: number;
}

export interface Claimed extends ClaimedItem {
  functionId?: string;
  startedRun: boolean;
  /** The item's concurrency keys and limits: when the worker is done with it, a slot of each frees (wakeParked). */
  concurrencyKeys: string[];
  concurrencyLimits: number[];
}

export interface KeyLimit {
  key: string;
  limit: number;
}

/**
 * Advisory locks on concurrency keys, always taken in sorted order so that two transactions cannot deadlock. One
 * statement however many keys: the keys go as one JSON array, whose elements come out in its order, and each row's
 * lock is taken as it comes. One parameter keeps the statement's text the same for any number of keys, so it is
 * prepared once per connection: postgres.js holds the statements behind one it is still preparing, which would undo
 * sending the count of slots together with it.
 *
 * claimItems and wakeParked send this and activeCounts together, and rely on this one reaching the driver first: both
 * are async functions whose query starts at their first and only await, so keep it that way in both.
 */
async function lockKeys(tx: Tx, keys: string[]): Promise<void> {
  if (!keys.length) return;
  await tx.execute(
    sql`select count(pg_advisory_xact_lock(hashtextextended(k, 0))) from jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb) as k`,
  );
}

/** Slots in use per key: items under a live lease. Runs once the keys' advisory locks are held (sent right behind them). */
async function activeCounts(tx: Tx, keys: string[], now: Date): Promise<Map<string, number>> {
  const active = new Map<string, number>();
  if (!keys.length) return active;
  const counts = rowsOf<{ k: string; n: number | string }>(
    await tx.execute(sql`
      select k, count(*) as n
      from ${inngestQueue}, unnest(${inngestQueue.concurrencyKeys}) as k
      where ${inngestQueue.leaseUntil} >= ${now.toISOString()}::timestamptz
        and ${inngestQueue.concurrencyKeys} && array(select jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb))
      group by k`),
  );
  for (const row of counts) active.set(row.k, Number(row.n));
  return active;
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
    // Sent together: PostgreSQL runs them in order on the transaction's connection, so the slots are counted once the
    // locks are held, and a round trip sooner once the lock's statement is prepared on that connection (this is on the
    // way from every Generate to its model call).
    const [, active] = await Promise.all([lockKeys(tx, keys), activeCounts(tx, keys, now)]);

    const full = (c: (typeof candidates)[number]) =>
      c.keys.findIndex((key, i) => (active.get(key) ?? 0) >= (c.limits[i] ?? Infinity));
    const taken: typeof candidates = [];
    const heldBack: typeof candidates = [];
    for (const c of candidates) {
      if (taken.length >= opts.max) break;
      if (full(c) >= 0) {
        heldBack.push(c);
        continue;
      }
      for (const key of c.keys) active.set(key, (active.get(key) ?? 0) + 1);
      taken.push(c);
    }

    const { leased, started } = taken.length
      ? await leaseAndStart(tx, taken, { owner: opts.owner, leaseUntil: new Date(now.getTime() + opts.leaseMs), now })
      : { leased: new Set<number>(), started: [] };
    // An item left out (its run held by a cancel) takes no slot: what was held back for it stays due, not parked.
    for (const t of taken) {
      if (leased.has(t.id)) continue;
      for (const key of t.keys) active.set(key, (active.get(key) ?? 1) - 1);
    }

    // Held-back items are parked on their full key, out of the claim window (so they cannot fill every window ahead
    // of runnable work) until wakeParked makes them due when a slot frees, under the same advisory lock.
    const parked = new Map<string, number[]>();
    for (const c of heldBack) {
      const at = full(c);
      if (at < 0) continue;
      const key = c.keys[at]!;
      parked.set(key, [...(parked.get(key) ?? []), c.id]);
    }
    for (const [key, ids] of parked) {
      await tx
        .update(inngestQueue)
        .set({ availableAt: new Date(now.getTime() + opts.recheckMs), parkedOn: key })
        .where(inArray(inngestQueue.id, ids));
    }
    if (!leased.size) return [];
    const startedById = new Map(started.map((r) => [r.id, r]));
    return taken
      .filter((t) => leased.has(t.id))
      .map((t) => {
        const run = startedById.get(t.runId);
        return {
          id: t.id,
          runId: t.runId,
          kind: t.kind,
          stepId: t.stepId,
          attempt: t.attempt,
          startedRun: run !== undefined,
          concurrencyKeys: t.keys,
          concurrencyLimits: t.limits,
          ...(run ? { functionId: run.functionId } : {}),
          // A run starting now has memoized nothing yet: its first call needs no separate read of the run's state.
          ...(run && t.kind === "call" && t.stepId === null
            ? { state: { functionId: run.functionId, event: run.event as EventPayload, steps: [] } }
            : {}),
        };
      });
  });
}

/**
 * The leases and the runs that start with them, in one statement. A run about to start is locked without waiting
 * (SKIP LOCKED): its row may be held by a cancel, which locks the run and then deletes the run's queue rows — rows
 * this claim has locked. Waiting for the run would close that circle (PostgreSQL would abort one side after its
 * deadlock timeout: a failed claim or a cancel that threw); instead the claim leaves that run's item alone, and the
 * next claim finds it again, or finds it gone with its cancelled run. Returns the items leased and the runs started.
 */
async function leaseAndStart(
  tx: Tx,
  taken: { id: number; runId: string; kind: string }[],
  lease: { owner: string; leaseUntil: Date; now: Date },
): Promise<{ leased: Set<number>; started: { id: string; functionId: string; event: unknown }[] }> {
  const ids = sql.join(
    taken.map((t) => sql`${t.id}::bigint`),
    sql`, `,
  );
  const calls = [...new Set(taken.filter((t) => t.kind === "call").map((t) => t.runId))];
  const runIds = calls.length
    ? sql.join(
        calls.map((id) => sql`${id}`),
        sql`, `,
      )
    : sql`null::text`;
  const rows = rowsOf<{ item_id: string | null; id: string | null; function_id: string | null; event: unknown }>(
    await tx.execute(sql`
      with startable as (
        select id from ${inngestRuns} where id in (${runIds}) and status = 'queued'
      ),
      locked as (
        select id from ${inngestRuns} where id in (${runIds}) and status = 'queued' for no key update skip locked
      ),
      leased as (
        update ${inngestQueue}
        set lease_until = ${lease.leaseUntil.toISOString()}::timestamptz, lease_owner = ${lease.owner}, parked_on = null
        where id in (${ids})
          and not (kind = 'call' and run_id in (select id from startable) and run_id not in (select id from locked))
        returning id
      ),
      started as (
        update ${inngestRuns} set status = 'running', started_at = ${lease.now.toISOString()}::timestamptz
        where id in (select id from locked)
        returning id, function_id, event
      )
      select id::text as item_id, null::text as id, null::text as function_id, null::jsonb as event from leased
      union all
      select null, id, function_id, event from started`),
  );
  const leased = new Set<number>();
  const started: { id: string; functionId: string; event: unknown }[] = [];
  for (const row of rows) {
    if (row.item_id !== null) leased.add(Number(row.item_id));
    else if (row.id !== null && row.function_id !== null)
      started.push({
        id: row.id,
        functionId: row.function_id,
        event: typeof row.event === "string" ? JSON.parse(row.event) : row.event,
      });
  }
  return { leased, started };
}

/**
 * A worker is done with an item of these keys (consumed, or handed back): for each key with a free slot, the oldest
 * parked items — as many as there are free slots — become due again at once, and every engine is woken (LISTEN on
 * PostgreSQL; the caller wakes its own workers). Runs after the consuming transaction committed, under the keys'
 * advisory locks: a claim that parked an item while the slot was still held has committed by then, so its items are
 * seen here, and a claim that starts later counts the slot as free itself. Returns how many items were woken.
 */
export async function wakeParked(db: EngineDb, keys: KeyLimit[]): Promise<number> {
  if (!keys.length) return 0;
  const now = new Date();
  return db.transaction(async (tx) => {
    const sorted = [...new Map(keys.map((k) => [k.key, k])).values()].sort((a, b) => (a.key < b.key ? -1 : 1));
    const keyNames = sorted.map((k) => k.key);
    // Together, as in claimItems: counted once the locks are held, and the locks held one round trip less.
    const [, active] = await Promise.all([lockKeys(tx, keyNames), activeCounts(tx, keyNames, now)]);
    let woken = 0;
    for (const { key, limit } of sorted) {
      const free = limit - (active.get(key) ?? 0);
      if (!Number.isFinite(free) || free <= 0) continue;
      // Oldest first, back at their creation time so they lead the due window; an item a claim is looking at right
      // now (locked) is skipped: that claim decides about it.
      const rows = rowsOf<{ id: number }>(
        await tx.execute(sql`
          update ${inngestQueue} q set available_at = least(q.created_at, ${now.toISOString()}::timestamptz), parked_on = null
          from (
            select id from ${inngestQueue} where parked_on = ${key} order by id limit ${free} for update skip locked
          ) picked
          where q.id = picked.id
          returning q.id`),
      );
      woken += rows.length;
    }
    if (woken) await tx.execute(sql`select pg_notify(${WAKE_CHANNEL}, '')`);
    return woken;
  });
}

/**
 * Extends the leases of the items this worker is still working on. Returns those of them that are no longer its own:
 * their lease ran out and was released or taken by another instance (this process stalled past it), so the call may
 * run twice and this worker's result will be refused. An item already consumed is not among them.
 */
export async function renewLeases(
  db: EngineDb,
  owner: string,
  ids: number[],
  leaseMs: number,
): Promise<{ id: number; runId: string }[]> {
  if (!ids.length) return [];
  const mine = and(eq(inngestQueue.leaseOwner, owner), inArray(inngestQueue.id, ids));
  // The select reads the rows as they were before the update (a WITH's update runs whether or not it is read, and
  // the rest of the statement does not see its changes): an item that was not this worker's then is lost; one
  // consumed meanwhile is in neither.
  const rows = rowsOf<{ id: number | string; run_id: string }>(
    await db.execute(sql`
      with renewed as (
        update ${inngestQueue} set lease_until = ${new Date(Date.now() + leaseMs).toISOString()}::timestamptz
        where ${mine} returning id
      )
      select id, run_id from ${inngestQueue}
      where ${inArray(inngestQueue.id, ids)} and lease_owner is distinct from ${owner}`),
  );
  return rows.map((r) => ({ id: Number(r.id), runId: r.run_id }));
}

/**
 * Releases the leases `where` picks and, when there were any, wakes every engine (NOTIFY, sent at the commit): the
 * items are due now, and another instance would otherwise find them only at its next poll. Returns how many.
 */
async function releaseWhere(db: EngineDb, where: SQL | undefined): Promise<number> {
  const [row] = rowsOf<{ released: number }>(
    await db.execute(sql`
      with released as (
        update ${inngestQueue} set lease_until = null, lease_owner = null where ${where} returning id
      )
      select (select count(*) from released)::int as released,
        (select pg_notify(${WAKE_CHANNEL}, '') where exists (select 1 from released))::text as notified`),
  );
  return Number(row?.released ?? 0);
}

/** Gives back items this worker claimed but will not process (shutdown). */
export async function releaseLeases(db: EngineDb, owner: string, ids: number[]): Promise<void> {
  if (!ids.length) return;
  await releaseWhere(db, and(eq(inngestQueue.leaseOwner, owner), inArray(inngestQueue.id, ids)));
}

/** Every lease an instance holds, released when it stops: another instance (or its restart) takes the items at once. */
export async function releaseOwnedLeases(db: EngineDb, owner: string): Promise<number> {
  return releaseWhere(db, eq(inngestQueue.leaseOwner, owner));
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
