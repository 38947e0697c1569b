import { eq, inArray } from "drizzle-orm";
import type postgres from "postgres";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { addLocalEngine, type LocalEngine, removeLocalEngine } from "@/lib/inngest/embedded/local-engines";
import { type Claimed, claimItems } from "@/lib/inngest/embedded/queue";
import type { EngineDb } from "@/lib/inngest/embedded/sql";
import {
  engineContext,
  inngestEvents,
  inngestFunctions,
  inngestQueue,
  inngestRuns,
  invalidateFunctionCache,
  receiveEvents,
} from "@/lib/inngest/embedded/testing";
import { useTestDb } from "../helpers/db";
import { secondConnection } from "../helpers/pg-url";
import { raceName, raceTest } from "../helpers/postgres-only";

/**
 * A lone event received while an engine of this process has a free worker: its run's first call is inserted already
 * leased to that worker and handed over, without a claim (lib/inngest/embedded/intake-one.ts) — but only when a
 * claim would have taken it at once anyway: nothing else due, nothing parked on its keys, a free slot of each key —
 * and only when it gets the keys' locks without waiting.
 */

const runtime = { type: "http", url: "http://127.0.0.1/api/inngest" };
const fnConfig = (id: string, event: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: id,
  triggers: [{ event }],
  steps: { step: { id: "step", name: "step", runtime } },
  ...extra,
});
const FUNCTIONS = [
  fnConfig("lease-keyed", "lease/go", { concurrency: [{ limit: 1, key: "event.data.k" }] }),
  fnConfig("lease-both-a", "lease/both"),
  fnConfig("lease-both-b", "lease/both"),
];
const keyOf = (k: string) => `lease-keyed:0:${JSON.stringify(k)}`;

/** Stands for a runner's workers: records what it is handed and what it gets back. */
class FakeEngine implements LocalEngine {
  readonly launched: Claimed[] = [];
  released = 0;
  constructor(public free: number) {}
  wake() {}
  reserveWorker() {
    if (this.free <= 0) return undefined;
    this.free--;
    return {
      owner: "intake-test-worker",
      leaseMs: 60_000,
      launch: (item: Claimed) => {
        this.launched.push(item);
      },
      release: () => {
        this.free++;
        this.released++;
      },
    };
  }
}

const testDb = useTestDb();
const db = () => testDb.db() as unknown as EngineDb;
const ctx = () => engineContext(db(), () => {});
let engine: FakeEngine | undefined;
let holder: postgres.Sql | undefined;

afterAll(async () => {
  await holder?.end();
});

function withWorkers(free: number): FakeEngine {
  engine = new FakeEngine(free);
  addLocalEngine(db(), engine);
  return engine;
}

beforeEach(async () => {
  await db().delete(inngestRuns);
  await db().delete(inngestEvents);
  await db()
    .delete(inngestFunctions)
    .where(
      inArray(
        inngestFunctions.id,
        FUNCTIONS.map((f) => f.id),
      ),
    );
  await db()
    .insert(inngestFunctions)
    .values(
      FUNCTIONS.map((config) => ({
        id: config.id,
        appId: "test",
        name: config.id,
        url: runtime.url,
        config,
        retries: 0,
      })),
    );
  invalidateFunctionCache(db());
});

afterEach(() => {
  if (engine) removeLocalEngine(db(), engine);
  engine = undefined;
});

const send = (k: string) => receiveEvents(ctx(), { name: "lease/go", data: { k } });
const claim = (owner: string) => claimItems(db(), { owner, max: 10, leaseMs: 60_000, recheckMs: 60_000 });
const runOf = async (eventId: string) =>
  (await db().select().from(inngestRuns).where(eq(inngestRuns.eventId, eventId)))[0]!;
const callOf = async (runId: string) =>
  (await db().select().from(inngestQueue).where(eq(inngestQueue.runId, runId)))[0]!;

/** The event's run waits in the queue like any other: nothing handed over, the worker given back, the call unleased. */
async function expectQueued(workers: FakeEngine, eventId: string) {
  expect(workers.launched).toEqual([]);
  expect(workers.released).toBe(1);
  const run = await runOf(eventId);
  expect(run.status).toBe("queued");
  expect((await callOf(run.id)).leaseOwner).toBeNull();
  return run;
}

describe("embedded engine: an event's first call leased at intake", () => {
  it("hands a lone event's first call to a free worker here, leased and started, with nothing left to claim", async () => {
    const workers = withWorkers(2);
    const [eventId] = await send("a");

    expect(workers.launched).toHaveLength(1);
    expect(workers.released).toBe(0);
    const run = await runOf(eventId!);
    expect(run.status).toBe("running");
    expect(run.startedAt).not.toBeNull();
    const call = await callOf(run.id);
    expect(call.leaseOwner).toBe("intake-test-worker");
    expect(call.leaseUntil!.getTime()).toBeGreaterThan(Date.now());
    expect(workers.launched[0]).toMatchObject({
      id: call.id,
      runId: run.id,
      kind: "call",
      stepId: null,
      attempt: 0,
      startedRun: true,
      functionId: "lease-keyed",
      concurrencyKeys: [keyOf("a")],
      concurrencyLimits: [1],
      state: { functionId: "lease-keyed", event: { id: eventId, name: "lease/go", data: { k: "a" } }, steps: [] },
    });
    expect(await claim("someone-else")).toEqual([]);
  });

  it("leaves a worker alone when no engine here has one free, or when the event starts several runs", async () => {
    const workers = withWorkers(0);
    const [first] = await send("a");
    expect((await runOf(first!)).status).toBe("queued");

    workers.free = 1;
    const [both] = await receiveEvents(ctx(), { name: "lease/both", data: {} });
    expect(workers.launched).toEqual([]);
    expect(workers.free).toBe(1);
    expect(workers.released).toBe(0);
    const runs = await db().select().from(inngestRuns).where(eq(inngestRuns.eventId, both!));
    expect(runs.map((r) => r.status)).toEqual(["queued", "queued"]);
  });

  it("queues the call behind calls already due, which keep their order", async () => {
    const [earlier] = await send("a");
    const workers = withWorkers(1);
    const [later] = await send("b");

    const run = await expectQueued(workers, later!);
    const claimed = await claim("claimer");
    expect(claimed.map((c) => c.runId)).toEqual([(await runOf(earlier!)).id, run.id]);
  });

  it("queues the call when a call waits parked on its key, even with the key's slot free", async () => {
    // A first run holds the key; a second is parked behind it by a claim; the first ends (its call consumed).
    const [holding] = await send("a");
    await claim("claimer");
    const [parkedEvent] = await send("a");
    expect(await claim("claimer")).toEqual([]);
    const parked = await callOf((await runOf(parkedEvent!)).id);
    expect(parked.parkedOn).toBe(keyOf("a"));
    await db()
      .delete(inngestQueue)
      .where(eq(inngestQueue.runId, (await runOf(holding!)).id));

    const workers = withWorkers(1);
    const [third] = await send("a");
    expect(workers.launched).toEqual([]);
    const run = await runOf(third!);
    expect(run.status).toBe("queued");
    expect((await callOf(run.id)).leaseOwner).toBeNull();
  });

  it("queues the call when its key's slots are all in use", async () => {
    const workers = withWorkers(2);
    await send("a");
    expect(workers.launched).toHaveLength(1);
    const [second] = await send("a");

    expect(workers.launched).toHaveLength(1);
    expect(workers.released).toBe(1);
    const run = await runOf(second!);
    expect(run.status).toBe("queued");
    expect((await callOf(run.id)).leaseOwner).toBeNull();
  });

  raceTest(
    raceName("queues the call, without waiting, while a claim holds its key's lock (its lease not yet committed)"),
    async () => {
      // Another connection takes the key's last slot the way a claim does: under the key's advisory lock, in a
      // transaction not yet committed. The intake must neither lease (it cannot see that slot taken) nor wait.
      holder = await secondConnection(testDb.db());
      const conn = await holder.reserve();
      try {
        await conn`begin`;
        await conn`select pg_advisory_xact_lock(hashtextextended(${keyOf("a")}, 0))`;
        await conn`insert into inngest_runs (id, function_id, status, event, concurrency_keys, concurrency_limits)
          values ('held-run', 'lease-keyed', 'running', '{}'::jsonb, array[${keyOf("a")}]::text[], array[1]::int[])`;
        await conn`insert into inngest_queue (run_id, kind, attempt, available_at, lease_until, lease_owner, concurrency_keys, concurrency_limits)
          values ('held-run', 'call', 0, now(), now() + interval '1 minute', 'claimer', array[${keyOf("a")}]::text[], array[1]::int[])`;

        const workers = withWorkers(1);
        const [eventId] = await send("a");

        await expectQueued(workers, eventId!);
        await conn`commit`;
      } finally {
        conn.release();
      }
    },
  );
});
