import { eq, isNotNull } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import type { FunctionDef } from "@/lib/inngest/embedded/function-config";
import { claimItems } from "@/lib/inngest/embedded/queue";
import { createRuns } from "@/lib/inngest/embedded/runs";
import type { EngineDb } from "@/lib/inngest/embedded/sql";
import { compileExpression, inngestQueue } from "@/lib/inngest/embedded/testing";
import { statementCountingDb } from "../helpers/counting-db";
import { useTestDb } from "../helpers/db";
import { secondConnection } from "../helpers/pg-url";
import { onPostgres } from "../helpers/postgres-only";

// A claim locks the concurrency keys of its candidates, then counts the slots in use. Both are sent together: the
// count waits behind the lock on the claim's connection, so it is read once the lock is held, a round trip sooner.
const fn: FunctionDef = {
  id: "claim-round-trips",
  name: "claim-round-trips",
  appId: "test",
  url: "http://127.0.0.1/api/inngest",
  retries: 0,
  eventTriggers: [{ event: "test/claim-round-trips" }],
  crons: [],
  concurrency: [{ limit: 1, key: compileExpression("event.data.who") }],
  cancel: [],
  config: {},
};

const testDb = useTestDb();
const POSTGRES_ONLY = "PostgreSQL only: the key's lock is held from a second connection, which PGlite does not have";

describe("embedded engine: a claim's round trips", () => {
  it.skipIf(!onPostgres)(
    onPostgres
      ? "sends the count of slots in use while it waits for the keys' lock, and counts once it holds it"
      : `sends the count of slots in use while it waits for the keys' lock [skipped: ${POSTGRES_ONLY}]`,
    async () => {
      const db = testDb.db() as unknown as EngineDb;
      const now = new Date();
      const event = (n: number) => ({
        name: "test/claim-round-trips",
        id: `e-${n}`,
        ts: now.getTime(),
        data: { who: "w" },
      });
      await db.transaction((tx) =>
        createRuns(tx, [
          { fn, now, event: event(1) },
          { fn, now, event: event(2) },
        ]),
      );
      const key = 'claim-round-trips:0:"w"';
      const holder = await secondConnection(testDb.db());
      let pending: Promise<unknown> | undefined;
      try {
        const conn = await holder.reserve();
        await conn`select pg_advisory_lock(hashtextextended(${key}, 0))`;
        const counting = statementCountingDb(testDb.handle());
        const claim = claimItems(counting.db as unknown as EngineDb, {
          owner: "test-owner",
          max: 5,
          leaseMs: 30_000,
          recheckMs: 5_000,
        });
        pending = claim;
        const sentCount = () => counting.statements.some((s) => s.includes("count(*) as n"));
        // The lock statement waits for the holder; the count has gone out behind it all the same.
        await vi.waitFor(
          () => expect(counting.statements.some((s) => s.includes("pg_advisory_xact_lock"))).toBe(true),
          {
            timeout: 5_000,
          },
        );
        await vi.waitFor(() => expect(sentCount()).toBe(true), { timeout: 2_000 });
        // Meanwhile another worker takes the key's one slot (a run leased elsewhere, committed before the lock is
        // let go): the count, read once the lock is held, sees it, so the claim starts nothing.
        const [other] = await db.transaction((tx) => createRuns(tx, [{ fn, now, event: event(3) }]));
        await db
          .update(inngestQueue)
          .set({ leaseUntil: new Date(Date.now() + 60_000), leaseOwner: "other-worker" })
          .where(eq(inngestQueue.runId, other!));
        await conn`select pg_advisory_unlock(hashtextextended(${key}, 0))`;
        conn.release();
        expect(await claim).toEqual([]);
        const parked = await db.select().from(inngestQueue).where(isNotNull(inngestQueue.parkedOn));
        expect(parked).toHaveLength(2);
      } finally {
        // Ends the holder's session at once, so a failing check never leaves the code under test waiting on the lock.
        await holder.end({ timeout: 0 });
        await pending?.catch(() => {});
      }
    },
    20_000,
  );
});
