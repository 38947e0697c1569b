import { eq, sql } from "drizzle-orm";
import { afterAll, describe, expect } from "vitest";
import type postgres from "postgres";
import { inngestQueue, inngestRuns, rowsOf } from "@/lib/inngest/embedded/testing";
import { inngest } from "@/lib/inngest/client";
import { secondConnection } from "../helpers/pg-url";
import { raceName, raceTest } from "../helpers/postgres-only";
import { useEngine, waitFor, waitForRun, waitForRuns } from "./harness";

// A claim locks its queue rows, then its concurrency keys, then starts the runs (their rows); a cancel locks the
// run, then deletes its queue rows. Met half way, each waits for the other: PostgreSQL broke the tie after its
// deadlock timeout by aborting one of them (a failed claim, or a cancel that threw).
const paused = inngest.createFunction(
  { id: "claim-cancel", concurrency: { limit: 5, key: "event.data.k" }, triggers: [{ event: "test/claim-cancel" }] },
  async ({ step }) => {
    await step.run("only", async () => "done");
  },
);

const t = useEngine(() => [paused], { workers: 2 });
let holder: postgres.Sql | undefined;

afterAll(async () => {
  await holder?.end();
});

describe("embedded engine: a cancel meeting a claim on PostgreSQL", () => {
  raceTest(
    raceName("a run cancelled while a claim holds its queue row ends cancelled, with no deadlock"),
    async () => {
      // A first run tells the stored form of the concurrency key.
      await inngest.send({ name: "test/claim-cancel", data: { k: "a" } });
      const [first] = await waitForRuns(t.db(), "claim-cancel", 1);
      const [key] = first!.concurrencyKeys;

      // Holding the key's advisory lock from another connection stops the next claim right after it locked the
      // queue row of the new run and before it starts the run.
      holder = await secondConnection(t.db());
      const lockHeld = holder.reserve();
      const conn = await lockHeld;
      await conn`select pg_advisory_lock(hashtextextended(${key!}, 0))`;

      // A lone event's run starts without a claim only when the intake gets its keys' locks without waiting
      // (intake-one.ts): this one finds the key's lock held, so its run waits for a claim.
      await inngest.send({ name: "test/claim-cancel", data: { k: "a" } });
      const run = await waitFor(
        async () => {
          const rows = await t.db().select().from(inngestRuns).where(eq(inngestRuns.status, "queued"));
          return rows[0];
        },
        { what: "the second run queued" },
      );
      // Sessions of this database waiting for a lock of this kind (a row lock shows as its holder's transaction id).
      const waitingOn = async (event: string) =>
        rowsOf<{ n: number }>(
          await t
            .db()
            .execute(
              sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and wait_event = ${event}`,
            ),
        )[0]!.n;
      // The claim holds the run's queue row (a probe that skips locked rows does not see it) and waits for the key.
      const claimHolding = async () => {
        const [row] = rowsOf<{ present: number; free: number }>(
          await t.db().execute(sql`select
            (select count(*)::int from ${inngestQueue} where run_id = ${run.id}) as present,
            (select count(*)::int from (select id from ${inngestQueue} where run_id = ${run.id} for update skip locked) q) as free`),
        );
        return row!.present === 1 && row!.free === 0 && (await waitingOn("advisory")) > 0;
      };
      await waitFor(claimHolding, { what: "the claim holding the queue row and waiting for the key" });

      const cancelled = t
        .engine()
        .cancelRun(run.id, "test cancel")
        .then(
          (value) => ({ value }),
          (error: Error) => ({ error: error.message }),
        );
      // The cancel goes as far as it can before the claim moves on: it waits for a row lock the claim holds.
      await waitFor(async () => (await waitingOn("transactionid")) > 0, {
        what: "the cancel waiting for the claim",
      });
      await conn`select pg_advisory_unlock(hashtextextended(${key!}, 0))`;
      conn.release();

      expect(await cancelled).toEqual({ value: true });
      const ended = await waitForRun(t.db(), run.id);
      expect(ended.status).toBe("cancelled");
      expect(await t.db().select().from(inngestQueue).where(eq(inngestQueue.runId, run.id))).toEqual([]);
      const failedClaims = t.logs.filter((l) => l.msg === "inngest claim failed");
      expect(failedClaims).toEqual([]);
    },
    30_000,
  );
});
