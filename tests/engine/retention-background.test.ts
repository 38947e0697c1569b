import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { inngest } from "@/lib/inngest/client";
import { createEmbeddedEngine, type EmbeddedEngine, type RetentionOptions } from "@/lib/inngest/embedded";
import { purgeRunBatch, rowsOf } from "@/lib/inngest/embedded/testing";
import { useTestDb } from "../helpers/db";
import { countRows, DAY, seedRun } from "../helpers/engine-rows";
import { captureLogs, fastTiming, serveFunctions, sleep, waitFor } from "./harness";

// The engine sweeps on its own once started with retention options, stops its sweep with the engine, and on a
// shared PostgreSQL only one instance purges at a time.

const noop = inngest.createFunction({ id: "noop", triggers: [{ event: "test/noop" }] }, async () => "ok");
const t = useTestDb();
const db = () => t.db();
let served: { url: string; close(): Promise<void> } | undefined;
let engine: EmbeddedEngine | undefined;
const lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];

beforeAll(async () => {
  served = await serveFunctions([noop]);
});
afterAll(async () => {
  await engine?.stop(200);
  await served?.close();
});
beforeEach(async () => {
  await engine?.stop(200);
  engine = undefined;
  await db().execute(
    sql`truncate inngest_events, inngest_runs, inngest_steps, inngest_attempts, inngest_queue cascade`,
  );
});

/**
 * A finished run has no queue item left (ending it deletes them); the seeded ones would be claimed by this engine's
 * workers, whose lock on the run makes the purge skip it (SKIP LOCKED) until the next sweep.
 */
async function dropQueue() {
  await db().execute(sql`delete from inngest_queue`);
}

async function start(retention: RetentionOptions) {
  const handle = t.handle();
  engine = createEmbeddedEngine({
    db: handle.db,
    logger: captureLogs().logger,
    singleProcess: handle.mode === "pglite",
  });
  await engine.start({ serveUrl: served!.url, ...fastTiming, retention });
  return engine;
}

describe("retention in the engine's background", () => {
  it("purges after the initial delay without being asked", async () => {
    for (let i = 0; i < 3; i++) await seedRun(db(), { ageMs: 40 * DAY });
    const kept = await seedRun(db(), { ageMs: DAY });
    await dropQueue();
    await start({ retentionMs: 30 * DAY, initialDelayMs: 20, intervalMs: 60_000, batchSize: 2, pauseMs: 0 });
    await waitFor(async () => (await countRows(db())).runs === 1, { what: "the old runs to be purged" }).catch(
      async (error: Error) => {
        throw new Error(
          `${error.message}; status ${JSON.stringify(engine?.status)}; rows ${JSON.stringify(await countRows(db()))}; log: ${JSON.stringify(lines.map((l) => l.msg))}`,
        );
      },
    );
    const [left] = rowsOf<{ id: string }>(await db().execute(sql`select id from inngest_runs`));
    expect(left!.id).toBe(kept.runId);
  });

  it("stops a sweep in progress with the engine: no batch after stop() returned", async () => {
    for (let i = 0; i < 6; i++) await seedRun(db(), { ageMs: 40 * DAY });
    await dropQueue();
    let batches = 0;
    const e = await start({
      retentionMs: 30 * DAY,
      initialDelayMs: 0,
      batchSize: 1,
      pauseMs: 0,
      beforePurge: async () => {
        batches++;
        await sleep(50);
      },
    });
    await waitFor(async () => batches >= 1, { what: "the first batch" });
    await e.stop(200);
    engine = undefined;
    const atStop = batches;
    const runsAtStop = (await countRows(db())).runs;
    await sleep(300);
    expect(batches).toBe(atStop);
    expect((await countRows(db())).runs).toBe(runsAtStop);
    expect(runsAtStop).toBeGreaterThan(0);
  });

  // PGlite is one connection in one process: there is no second instance to exclude.
  it.skipIf(!process.env.DATABASE_URL)(
    "on PostgreSQL a batch runs only while no other instance holds the purge lock",
    async () => {
      await seedRun(db(), { ageMs: 40 * DAY });
      const cutoff = new Date(Date.now() - 30 * DAY);
      let release: () => void = () => {};
      let locked: () => void = () => {};
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      // Another instance in the middle of a batch: it holds the lock until its transaction ends.
      const other = purgeRunBatch(db(), cutoff, 10, async () => {
        locked();
        await new Promise<void>((resolve) => (release = resolve));
        throw new Error("the other instance gives up");
      });
      const otherDone = other.catch((error: Error) => error.message);
      await isLocked;
      expect(await purgeRunBatch(db(), cutoff, 10)).toBeNull();
      release();
      expect(await otherDone).toBe("the other instance gives up");
      expect(await purgeRunBatch(db(), cutoff, 10)).toMatchObject({ runs: 1 });
    },
  );
});
