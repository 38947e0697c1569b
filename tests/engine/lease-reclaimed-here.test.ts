import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { inngest } from "@/lib/inngest/client";
import { inngestQueue } from "@/lib/inngest/embedded/testing";
import { sleep, useEngine, waitFor } from "./harness";

// A lease that ran out while its call runs, and that this same instance claimed again (its lease owner is one string
// per instance, so a renewal alone cannot see it): two of its workers hold one item, and the log says so, once.

const RECLAIMED = "inngest lease ran out while its call runs: this instance took it again";
const releases: (() => void)[] = [];
const started: string[] = [];

const held = inngest.createFunction(
  { id: "lease-reclaimed-held", triggers: [{ event: "test/lease-reclaimed" }], retries: 0 },
  async ({ runId, step }) =>
    step.run("held", async () => {
      started.push(runId);
      await new Promise<void>((resolve) => releases.push(resolve));
      return "done";
    }),
);

// Two workers, so that the instance has one free to claim the item again; renewed every 200 ms.
const t = useEngine(() => [held], { leaseMs: 600, workers: 2 });
const reclaimedLines = () => t.logs.filter((l) => l.msg === RECLAIMED);

describe("embedded engine: a lease this instance claims again", () => {
  it("is told once while two of its workers hold the item", async () => {
    try {
      await inngest.send({ name: "test/lease-reclaimed", data: {} });
      const runId = await waitFor(async () => started[0], { what: "the held step to start" });
      await sleep(700);
      expect(reclaimedLines()).toEqual([]);

      // The fake clock: the lease is over while the call still runs; the idle worker claims the item again. Moved
      // back until that happens, as a renewal may come first and extend it.
      const expire = async () =>
        t
          .db()
          .update(inngestQueue)
          .set({ leaseUntil: new Date(Date.now() - 1000) })
          .where(and(eq(inngestQueue.runId, runId), eq(inngestQueue.kind, "call")))
          .returning({ id: inngestQueue.id });
      const [item] = await expire();
      await waitFor(
        async () => {
          if (started.length > 1) return true;
          await expire();
          return false;
        },
        { what: "the second call of the same item" },
      );
      await waitFor(async () => reclaimedLines().length > 0, { what: "the second hold to be told" });
      await sleep(700);
      expect(reclaimedLines()).toHaveLength(1);
      expect(reclaimedLines()[0]).toMatchObject({ level: "warn", fields: { itemId: item!.id } });
    } finally {
      for (const release of releases) release();
    }
  });
});
