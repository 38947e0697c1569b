import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { engineContext, inngestSteps, receiveEvents } from "@/lib/inngest/embedded/testing";
import type { EngineDb } from "@/lib/inngest/embedded/sql";
import { inngest } from "@/lib/inngest/client";
import { statementCountingDb } from "../helpers/counting-db";
import { runsOf, useEngine, waitFor, waitForRuns } from "./harness";

/**
 * A batch of events (one `inngest.send` of many, as a fan-out sends its children) is received in one transaction
 * whose statements do not grow with the batch when its events only start runs; what depends on the events' order —
 * a cancellation by a later event of a run an earlier one started, an idempotency key, a debounce, a wait — still
 * happens as it would one event at a time.
 */

const plain = inngest.createFunction(
  { id: "batch-plain", concurrency: { limit: 2, key: "event.data.who" }, triggers: [{ event: "batch/plain" }] },
  async ({ event }) => event.data.n,
);
const cancellable = inngest.createFunction(
  {
    id: "batch-cancellable",
    cancelOn: [{ event: "batch/stop", if: "event.data.n == async.data.n" }],
    triggers: [{ event: "batch/long" }],
  },
  async ({ step }) => {
    await step.sleep("nap", "1m");
    return "woke";
  },
);
const keyed = inngest.createFunction(
  { id: "batch-keyed", idempotency: "event.data.k", triggers: [{ event: "batch/keyed" }] },
  async ({ event }) => event.data.n,
);
const waiter = inngest.createFunction({ id: "batch-waiter", triggers: [{ event: "batch/wait" }] }, async ({ step }) => {
  const woken = await step.waitForEvent("wake", { event: "batch/wake", timeout: "1m" });
  return woken?.data ?? null;
});

const quick = inngest.createFunction(
  { id: "batch-quick", triggers: [{ event: "batch/quick" }] },
  async ({ event }) => event.data.n,
);

const t = useEngine(() => [plain, cancellable, keyed, waiter, quick]);

/** An engine context over the test's database that records every statement the intake sends. */
function countingContext() {
  const { db, statements } = statementCountingDb(t.handle());
  return { ctx: engineContext(db as unknown as EngineDb, () => {}), statements };
}

const batch = (name: string, count: number, data: (i: number) => Record<string, unknown>) =>
  Array.from({ length: count }, (_v, i) => ({ name, data: data(i) }));

describe("embedded engine: receiving a batch of events", () => {
  it("starts every run of a batch with as many statements for 50 events as for 5, each run with its keys", async () => {
    const small = countingContext();
    await receiveEvents(
      small.ctx,
      batch("batch/plain", 5, (i) => ({ n: i, who: `w${i % 3}` })),
    );
    const large = countingContext();
    const ids = await receiveEvents(
      large.ctx,
      batch("batch/plain", 50, (i) => ({ n: 100 + i, who: `w${i % 3}` })),
    );
    expect(new Set(ids).size).toBe(50);
    expect(large.statements.length).toBe(small.statements.length);

    const runs = await waitForRuns(t.db(), "batch-plain", 55);
    expect(runs.every((r) => r.status === "completed")).toBe(true);
    const outputs = runs.map((r) => r.output as number).sort((a, b) => a - b);
    expect(outputs).toEqual([...[0, 1, 2, 3, 4], ...Array.from({ length: 50 }, (_v, i) => 100 + i)]);
    for (const run of runs) {
      const who = (run.event as { data: { who: string } }).data.who;
      expect(run.concurrencyKeys).toEqual([`story-sprout-batch-plain:0:"${who}"`]);
    }
  });

  // A thousand and one runs take a while on PGlite, for SQL that is the same there.
  it.skipIf(!process.env.DATABASE_URL)(
    "writes the runs of more than a thousand events in one more statement, one run for every event",
    async () => {
      const small = countingContext();
      await receiveEvents(
        small.ctx,
        batch("batch/quick", 5, (i) => ({ n: -1 - i })),
      );
      const large = countingContext();
      const count = 1001;
      await receiveEvents(
        large.ctx,
        batch("batch/quick", count, (i) => ({ n: i })),
      );
      expect(large.statements.length).toBe(small.statements.length + 1);
      const runs = (await waitForRuns(t.db(), "batch-quick", count + 5, 120_000)).filter(
        (r) => (r.output as number) >= 0,
      );
      expect(runs.every((r) => r.status === "completed")).toBe(true);
      // One run for every event, on both sides of the thousand.
      expect(runs.map((r) => r.output as number).sort((a, b) => a - b)).toEqual(
        Array.from({ length: count }, (_v, i) => i),
      );
    },
  );

  it("lets a later event of the batch cancel the run an earlier one started", async () => {
    const { ctx } = countingContext();
    await receiveEvents(ctx, [
      { name: "batch/long", data: { n: 1 } },
      { name: "batch/long", data: { n: 2 } },
      { name: "batch/stop", data: { n: 1 } },
    ]);
    const runs = await runsOf(t.db(), "batch-cancellable");
    const byN = new Map(runs.map((r) => [(r.event as { data: { n: number } }).data.n, r.status]));
    expect(byN.get(1)).toBe("cancelled");
    expect(["queued", "running"]).toContain(byN.get(2));
  });

  it("starts one run per idempotency key within a batch, and resolves a wait with the batch's first match", async () => {
    const { ctx } = countingContext();
    await receiveEvents(ctx, [
      { name: "batch/keyed", data: { k: "a", n: 1 } },
      { name: "batch/keyed", data: { k: "a", n: 2 } },
      { name: "batch/keyed", data: { k: "b", n: 3 } },
    ]);
    const keyedRuns = await waitForRuns(t.db(), "batch-keyed", 2);
    expect(keyedRuns.map((r) => r.output).sort()).toEqual([1, 3]);

    await receiveEvents(ctx, { name: "batch/wait", data: {} });
    // The wait begins when the run is first called; then one batch carries two events it would take.
    await waitFor(
      async () => (await t.db().select().from(inngestSteps).where(eq(inngestSteps.status, "waiting")))[0] ?? null,
      {
        what: "the waiter to be waiting",
      },
    );
    await receiveEvents(ctx, [
      { name: "batch/wake", data: { first: true } },
      { name: "batch/wake", data: { first: false } },
    ]);
    const [woken] = await waitForRuns(t.db(), "batch-waiter", 1);
    expect(woken!.output).toEqual({ first: true });
  });
});
