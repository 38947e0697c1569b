import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  engineContext,
  inngestDebounces,
  inngestEvents,
  inngestQueue,
  inngestRuns,
  inngestSteps,
  receiveEvents,
} from "@/lib/inngest/embedded/testing";
import type { EngineDb } from "@/lib/inngest/embedded/sql";
import { inngest } from "@/lib/inngest/client";
import { runsOf, useEngine, waitFor, waitForRun } from "./harness";

/**
 * A lone event that only starts runs is received in one statement (lib/inngest/embedded/intake-one.ts); anything
 * else — a wait it resolves, a run it cancels, a debounce — goes through receiveEvents' transaction. Both must leave
 * what Inngest promises: the sender's id is idempotent for 24 h, a function's `idempotency` key starts one run, the
 * run and its first call carry the function's concurrency keys.
 */

const started: string[] = [];
const plain = inngest.createFunction(
  { id: "intake-plain", concurrency: { limit: 3, key: "event.data.who" }, triggers: [{ event: "intake/plain" }] },
  async ({ event }) => {
    started.push(String(event.data.n));
    return event.data.n;
  },
);
const keyed = inngest.createFunction(
  { id: "intake-keyed", idempotency: "event.data.k", triggers: [{ event: "intake/keyed" }] },
  async () => "ran",
);
const waiter = inngest.createFunction(
  { id: "intake-waiter", triggers: [{ event: "intake/wait" }] },
  async ({ step }) => {
    const woken = await step.waitForEvent("wake", { event: "intake/wake", timeout: "1m" });
    return woken?.data ?? null;
  },
);
const cancellable = inngest.createFunction(
  { id: "intake-cancellable", cancelOn: [{ event: "intake/stop" }], triggers: [{ event: "intake/long" }] },
  async ({ step }) => {
    await step.sleep("nap", "1m");
  },
);
const debounced = inngest.createFunction(
  { id: "intake-debounced", debounce: { period: "1m" }, triggers: [{ event: "intake/deb" }] },
  async () => "debounced",
);

const t = useEngine(() => [plain, keyed, waiter, cancellable, debounced]);

/** An engine context over the test's database that counts the transactions the intake opens. */
function countingContext() {
  let transactions = 0;
  const db = new Proxy(t.db() as unknown as EngineDb, {
    get(target, property, receiver) {
      if (property === "transaction") transactions++;
      return Reflect.get(target, property, receiver);
    },
  });
  return { ctx: engineContext(db, () => {}), transactions: () => transactions };
}

describe("embedded engine: receiving one event", () => {
  it("stores a lone event and starts its run in one statement, the run and its call carrying the concurrency keys", async () => {
    const { ctx, transactions } = countingContext();
    const [eventId] = await receiveEvents(ctx, { name: "intake/plain", data: { n: 1, who: "ann" } });
    expect(transactions()).toBe(0);

    const [stored] = await t.db().select().from(inngestEvents).where(eq(inngestEvents.id, eventId!));
    expect(stored).toMatchObject({ name: "intake/plain", data: { n: 1, who: "ann" }, externalId: null });
    const [run] = await t.db().select().from(inngestRuns).where(eq(inngestRuns.eventId, eventId!));
    const key = 'story-sprout-intake-plain:0:"ann"';
    expect(run).toMatchObject({
      functionId: "story-sprout-intake-plain",
      event: { name: "intake/plain", data: { n: 1, who: "ann" }, id: eventId },
      concurrencyKeys: [key],
      concurrencyLimits: [3],
    });
    // The engine may already have run it; until then its first call waits in the queue with the same keys.
    const calls = await t.db().select().from(inngestQueue).where(eq(inngestQueue.runId, run!.id));
    for (const call of calls) expect(call).toMatchObject({ kind: "call", concurrencyKeys: [key] });
    expect(await waitForRun(t.db(), run!.id)).toMatchObject({ status: "completed", output: 1 });
  });

  it("keeps the sender's id idempotent: a second send with the same id stores nothing and answers the first event's id", async () => {
    const { ctx } = countingContext();
    const [first] = await receiveEvents(ctx, { name: "intake/plain", id: "same-send", data: { n: 2 } });
    const [second] = await receiveEvents(ctx, { name: "intake/plain", id: "same-send", data: { n: 3 } });
    expect(second).toBe(first);
    const stored = await t.db().select().from(inngestEvents).where(eq(inngestEvents.externalId, "same-send"));
    expect(stored.map((e) => e.data)).toEqual([{ n: 2 }]);
    const runs = await t.db().select().from(inngestRuns).where(eq(inngestRuns.eventId, first!));
    expect(runs).toHaveLength(1);
    await waitFor(async () => started.includes("2"), { what: "the first event's run" });
    expect(started).not.toContain("3");
  });

  it("starts one run per value of a function's idempotency key", async () => {
    const { ctx } = countingContext();
    await receiveEvents(ctx, { name: "intake/keyed", data: { k: "k1" } });
    await receiveEvents(ctx, { name: "intake/keyed", data: { k: "k1" } });
    await receiveEvents(ctx, { name: "intake/keyed", data: { k: "k2" } });
    expect(await t.db().select().from(inngestEvents).where(eq(inngestEvents.name, "intake/keyed"))).toHaveLength(3);
    const runs = await runsOf(t.db(), "intake-keyed");
    expect(runs.map((r) => (r.event as { data: { k: string } }).data.k).sort()).toEqual(["k1", "k2"]);
  });

  it("resolves a step.waitForEvent through the transaction, writing nothing in the one statement", async () => {
    const { ctx } = countingContext();
    await receiveEvents(ctx, { name: "intake/wait", data: {} });
    const [run] = await waitFor(
      async () => {
        const runs = await runsOf(t.db(), "intake-waiter");
        return runs.length && (await hasWaitingStep(runs[0]!.id)) ? runs : null;
      },
      { what: "the run waiting for intake/wake" },
    );
    const counted = countingContext();
    const [wakeId] = await receiveEvents(counted.ctx, { name: "intake/wake", data: { hello: "there" } });
    expect(counted.transactions()).toBe(1);
    expect(await t.db().select().from(inngestEvents).where(eq(inngestEvents.id, wakeId!))).toHaveLength(1);
    expect(await waitForRun(t.db(), run!.id)).toMatchObject({ status: "completed", output: { hello: "there" } });
  });

  it("leaves cancellations and debounces to the transaction", async () => {
    const { ctx, transactions } = countingContext();
    const [longId] = await receiveEvents(ctx, { name: "intake/long", data: {} });
    const [long] = await t.db().select().from(inngestRuns).where(eq(inngestRuns.eventId, longId!));
    await receiveEvents(ctx, { name: "intake/stop", data: {} });
    expect(transactions()).toBe(1);
    expect(await waitForRun(t.db(), long!.id)).toMatchObject({ status: "cancelled" });

    await receiveEvents(ctx, { name: "intake/deb", data: { n: 1 } });
    expect(transactions()).toBe(2);
    const pending = await t
      .db()
      .select()
      .from(inngestDebounces)
      .where(eq(inngestDebounces.functionId, "story-sprout-intake-debounced"));
    expect(pending).toHaveLength(1);
    expect(await runsOf(t.db(), "intake-debounced")).toEqual([]);
  });
});

async function hasWaitingStep(runId: string): Promise<boolean> {
  const steps = await t.db().select().from(inngestSteps).where(eq(inngestSteps.runId, runId));
  return steps.some((s) => s.status === "waiting");
}
