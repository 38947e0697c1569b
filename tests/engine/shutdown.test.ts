import { eq, isNotNull, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inngest } from "@/lib/inngest/client";
import { createEmbeddedEngine, type EmbeddedEngine } from "@/lib/inngest/embedded";
import { openPostgres } from "@/db/client";
import { inngestQueue, inngestRuns, inngestSteps, rowsOf } from "@/lib/inngest/embedded/testing";
import { useTestDb } from "../helpers/db";
import { onPostgres } from "../helpers/postgres-only";
import { withDatabase } from "../helpers/pg-url";
import { captureLogs, fastTiming, runsOf, serveFunctions, sleep, waitFor } from "./harness";

// Graceful stop: no claim after stop() began, the call in flight finishes and is recorded, and every lease this
// instance holds is released (another instance, or the restarted one, takes the work at once).

const gates = new Map<string, () => void>();
const entered: string[] = [];
const calls: string[] = [];
const slow = inngest.createFunction({ id: "slow", triggers: [{ event: "test/slow" }] }, async ({ event, step }) => {
  const name = String(event.data.name);
  calls.push(name);
  await step.run("wait-for-gate", async () => {
    entered.push(name);
    await new Promise<void>((resolve) => gates.set(name, resolve));
    return name;
  });
  await step.run("after", () => `${name} after`);
});

const testDb = useTestDb();
let served: { url: string; close(): Promise<void> } | undefined;
const engines: EmbeddedEngine[] = [];

beforeAll(async () => {
  served = await serveFunctions([slow]);
});
afterAll(async () => {
  for (const gate of gates.values()) gate();
  for (const engine of engines) await engine.stop(500);
  await served?.close();
});

async function startEngine() {
  const engine = createEmbeddedEngine({
    db: testDb.db(),
    logger: captureLogs().logger,
    singleProcess: testDb.handle().mode === "pglite",
  });
  engines.push(engine);
  // Synced in the background, as the server does: a sync that meets a keep-alive socket the test server just closed
  // is tried again instead of failing the test.
  await engine.start({ serveUrl: served!.url, waitForSync: false, ...fastTiming });
  await waitFor(async () => engine.status.synced, { what: "sync" });
  return engine;
}

const leased = () => testDb.db().select().from(inngestQueue).where(isNotNull(inngestQueue.leaseOwner));

describe("embedded engine: stop()", () => {
  it("claims nothing once stopping, lets the call in flight finish and record, and releases its leases", async () => {
    const engine = await startEngine();
    await inngest.send({ name: "test/slow", data: { name: "a" } });
    await waitFor(async () => entered.includes("a"), { what: "a's step to start" });

    const stopped = engine.stop(10_000);
    await inngest.send({ name: "test/slow", data: { name: "b" } });
    await sleep(200);
    expect(calls).not.toContain("b");
    gates.get("a")!();
    await stopped;

    expect(engine.status.running).toBe(false);
    const [runA] = (await runsOf(testDb.db(), "slow")).filter(
      (r) => (r.event as { data: { name: string } }).data.name === "a",
    );
    const steps = await testDb.db().select().from(inngestSteps).where(eq(inngestSteps.runId, runA!.id));
    expect(steps.map((s) => [s.name, s.status])).toEqual([["wait-for-gate", "completed"]]);
    // a's next call was handed back to the queue, b's first call never claimed: nothing is leased.
    expect(await leased()).toEqual([]);
    const queued = await testDb.db().select({ runId: inngestQueue.runId }).from(inngestQueue);
    expect(queued).toHaveLength(2);
    expect(calls).not.toContain("b");
  });

  it("after the grace period, releases the lease of a call still running", async () => {
    await testDb.db().delete(inngestRuns);
    const engine = await startEngine();
    await inngest.send({ name: "test/slow", data: { name: "c" } });
    await waitFor(async () => entered.includes("c"), { what: "c's step to start" });
    expect(await leased()).toHaveLength(1);
    await engine.stop(100);
    expect(await leased()).toEqual([]);
    gates.get("c")!();
  });

  // Only PostgreSQL has other instances: a PGlite database belongs to one process.
  (onPostgres ? it : it.skip)(
    `wakes the other instances when it hands its leases back, so one takes the call at once, not at its next poll${
      onPostgres ? "" : " [skipped: PostgreSQL only, PGlite has no other instance]"
    }`,
    async () => {
      await testDb.db().delete(inngestRuns);
      const [{ name }] = rowsOf<{ name: string }>(
        await testDb.db().execute(sql`select current_database() as name`),
      ) as [{ name: string }];
      const otherHandle = openPostgres(withDatabase(process.env.DATABASE_URL!, name), { max: 2 });
      // The serve handler checks every call against the attached engine's keys (the same for every instance of one
      // database): one stays attached throughout, with no workers, as each process of a deployment has its own.
      const keeper = createEmbeddedEngine({ db: testDb.db(), logger: captureLogs().logger });
      await keeper.attach();
      const stopping = createEmbeddedEngine({ db: testDb.db(), logger: captureLogs().logger });
      const other = createEmbeddedEngine({ db: otherHandle.db, logger: captureLogs().logger });
      const firstCall = () => gates.get("d")?.();
      try {
        await stopping.start({ serveUrl: served!.url, attachClient: false, ...fastTiming });
        await inngest.send({ name: "test/slow", data: { name: "d" } });
        await waitFor(async () => entered.includes("d"), { what: "d's step to start" });
        const release = gates.get("d")!;
        // Started once the call is leased, so that only the hand-back can give it the call; it polls once a minute,
        // so within this test it learns of due work from a NOTIFY alone.
        await other.start({ serveUrl: served!.url, attachClient: false, ...fastTiming, pollIntervalMs: 60_000 });
        // Counted before the stop: its NOTIFY may bring the other instance's call before stop() returns.
        const released = entered.length;
        await stopping.stop(100);
        release();
        // Called again by the other instance, well before its poll would have found the call.
        await waitFor(async () => entered.length > released, {
          what: "the other instance to take the call",
          timeoutMs: 10_000,
        });
        expect(entered.at(-1)).toBe("d");
      } finally {
        firstCall();
        await stopping.stop(100);
        await other.stop(2000);
        await keeper.stop();
        await otherHandle.close();
      }
    },
    30_000,
  );
});
