import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  engineContext,
  inngestDebounces,
  inngestEvents,
  inngestIdempotency,
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

const bothA = inngest.createFunction({ id: "intake-both-a", triggers: [{ event: "intake/both" }] }, async () => "a");
const bothB = inngest.createFunction(
  { id: "intake-both-b", triggers: [{ event: "intake/both" }, { event: "intake/b-only" }] },
  async () => "b",
);

const t = useEngine(() => [plain, keyed, waiter, cancellable, debounced, bothA, bothB]);

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
    const { ctx, transactions } = countingContext();
    const [first] = await receiveEvents(ctx, { name: "intake/plain", id: "same-send", data: { n: 2 } });
    const [second] = await receiveEvents(ctx, { name: "intake/plain", id: "same-send", data: { n: 3 } });
    expect(second).toBe(first);
    expect(transactions()).toBe(0);
    const stored = await t.db().select().from(inngestEvents).where(eq(inngestEvents.externalId, "same-send"));
    expect(stored.map((e) => e.data)).toEqual([{ n: 2 }]);
    const runs = await t.db().select().from(inngestRuns).where(eq(inngestRuns.eventId, first!));
    expect(runs).toHaveLength(1);
    await waitFor(async () => started.includes("2"), { what: "the first event's run" });
    expect(started).not.toContain("3");
  });

  it("starts one run per value of a function's idempotency key", async () => {
    const { ctx, transactions } = countingContext();
    await receiveEvents(ctx, { name: "intake/keyed", data: { k: "k1" } });
    await receiveEvents(ctx, { name: "intake/keyed", data: { k: "k1" } });
    await receiveEvents(ctx, { name: "intake/keyed", data: { k: "k2" } });
    expect(transactions()).toBe(0);
    expect(await t.db().select().from(inngestEvents).where(eq(inngestEvents.name, "intake/keyed"))).toHaveLength(3);
    const runs = await runsOf(t.db(), "intake-keyed");
    expect(runs.map((r) => (r.event as { data: { k: string } }).data.k).sort()).toEqual(["k1", "k2"]);
  });

  it("takes a sender's id back once its 24 hours are over: the event is stored and starts its run", async () => {
    const { ctx, transactions } = countingContext();
    await t
      .db()
      .insert(inngestIdempotency)
      .values({ key: "old-send", eventId: "01OLDEVENT0000000000000000", expiresAt: new Date(Date.now() - 1000) });
    const [id] = await receiveEvents(ctx, { name: "intake/plain", id: "old-send", data: { n: 4 } });
    expect(transactions()).toBe(0);
    expect(id).not.toBe("01OLDEVENT0000000000000000");
    const [claim] = await t.db().select().from(inngestIdempotency).where(eq(inngestIdempotency.key, "old-send"));
    expect(claim!.eventId).toBe(id);
    expect(claim!.expiresAt.getTime()).toBeGreaterThan(Date.now());
    const [run] = await t.db().select().from(inngestRuns).where(eq(inngestRuns.eventId, id!));
    expect(await waitForRun(t.db(), run!.id)).toMatchObject({ status: "completed", output: 4 });
  });

  it("starts a run of every function the event triggers, and stores an event that triggers none", async () => {
    const { ctx, transactions } = countingContext();
    const [both] = await receiveEvents(ctx, { name: "intake/both", data: {} });
    const [none] = await receiveEvents(ctx, { name: "intake/nobody", data: { x: 1 } });
    expect(transactions()).toBe(0);
    const runs = await t.db().select().from(inngestRuns).where(eq(inngestRuns.eventId, both!));
    expect(runs.map((r) => r.functionId).sort()).toEqual(["story-sprout-intake-both-a", "story-sprout-intake-both-b"]);
    for (const run of runs) expect(await waitForRun(t.db(), run.id)).toMatchObject({ status: "completed" });
    expect(await t.db().select().from(inngestEvents).where(eq(inngestEvents.id, none!))).toHaveLength(1);
    expect(await t.db().select().from(inngestRuns).where(eq(inngestRuns.eventId, none!))).toEqual([]);
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
