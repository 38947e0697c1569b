import { eq } from "drizzle-orm";
import type postgres from "postgres";
import { afterAll, describe, expect } from "vitest";
import type { FunctionDef } from "@/lib/inngest/embedded/function-config";
import { claimItems } from "@/lib/inngest/embedded/queue";
import { createRuns } from "@/lib/inngest/embedded/runs";
import type { EngineDb } from "@/lib/inngest/embedded/sql";
import { inngestQueue } from "@/lib/inngest/embedded/testing";
import { useTestDb } from "../helpers/db";
import { secondConnection } from "../helpers/pg-url";
import { raceName, raceTest } from "../helpers/postgres-only";

// A claim leaves out the item of a run another transaction holds (a cancel in progress: see claim-cancel-race). That
// item takes no slot of its key, so the items held back behind it must stay due rather than be parked for the
// re-check delay: nothing would wake them, since no worker ever held the item left out.
const fn: FunctionDef = {
  id: "left-out",
  name: "left-out",
  appId: "test",
  url: "http://127.0.0.1/api/inngest",
  retries: 0,
  eventTriggers: [{ event: "test/left-out" }],
  crons: [],
  concurrency: [{ limit: 1 }],
  cancel: [],
  config: {},
};

const testDb = useTestDb();
let holder: postgres.Sql | undefined;

afterAll(async () => {
  await holder?.end();
});

describe("embedded engine: a claim that leaves an item out", () => {
  raceTest(
    raceName("parks nothing behind an item whose run is held elsewhere, and takes it once the run is free"),
    async () => {
      const db = testDb.db() as unknown as EngineDb;
      const now = new Date(Date.now() - 1000);
      const [first, second] = await db.transaction((tx) =>
        createRuns(tx, [
          { fn, now, event: { name: "test/left-out", data: { n: 1 }, id: "e1", ts: now.getTime() } },
          { fn, now, event: { name: "test/left-out", data: { n: 2 }, id: "e2", ts: now.getTime() } },
        ]),
      );

      // Another connection holds the first run's row, as a cancel does between locking the run and deleting its items.
      holder = await secondConnection(db);
      const conn = await holder.reserve();
      await conn`begin`;
      await conn`select id from inngest_runs where id = ${first!} for update`;

      const options = { owner: "worker-a", max: 4, leaseMs: 30_000, recheckMs: 60_000 };
      expect(await claimItems(db, options)).toEqual([]);
      const [secondItem] = await db.select().from(inngestQueue).where(eq(inngestQueue.runId, second!));
      expect(secondItem!.parkedOn).toBeNull();
      expect(secondItem!.leaseUntil).toBeNull();
      expect(secondItem!.availableAt.getTime()).toBeLessThanOrEqual(Date.now());

      await conn`rollback`;
      conn.release();
      const claimed = await claimItems(db, options);
      expect(claimed.map((c) => c.runId)).toEqual([first]);
      expect(claimed[0]!.startedRun).toBe(true);
    },
    30_000,
  );
});
