import { eq, sql } from "drizzle-orm";
import { inngestInstances } from "./schema";
import { rowsOf, type EngineDb } from "./sql";

/**
 * Instance liveness on a shared PostgreSQL. Each instance beats every few seconds; times are the database's own
 * (`now()`), so the instances' clocks do not matter. A lease normally lasts 30 s so that a slow call is not taken
 * away from a live instance; a dead instance is recognised by its silence instead, after a few missed beats.
 */
export async function beat(db: EngineDb, owner: string): Promise<void> {
  await db
    .insert(inngestInstances)
    .values({ id: owner, heartbeatAt: sql`now()`, startedAt: sql`now()` })
    .onConflictDoUpdate({ target: inngestInstances.id, set: { heartbeatAt: sql`now()` } });
}

/**
 * Forgets the instances silent for longer than deadAfterMs and releases their leases in the same statement, so their
 * items are claimable (and their concurrency slots free) at once. Returns how many items were released. An instance
 * that was only paused finds its items gone: its late results are refused by the lease check (steps are
 * at-least-once), and its next beat registers it again.
 */
export async function releaseDeadInstances(db: EngineDb, owner: string, deadAfterMs: number): Promise<number> {
  const rows = rowsOf<{ n: number | string }>(
    await db.execute(sql`
      with dead as (
        delete from ${inngestInstances}
        where ${inngestInstances.id} <> ${owner}
          and ${inngestInstances.heartbeatAt} < now() - make_interval(secs => ${deadAfterMs / 1000})
        returning ${inngestInstances.id} as id
      ), released as (
        update inngest_queue set lease_until = null, lease_owner = null
        where lease_owner in (select id from dead)
        returning 1
      )
      select count(*) as n from released`),
  );
  return Number(rows[0]?.n ?? 0);
}

/** A stopping instance leaves (after releasing its own leases). */
export async function leave(db: EngineDb, owner: string): Promise<void> {
  await db.delete(inngestInstances).where(eq(inngestInstances.id, owner));
}
