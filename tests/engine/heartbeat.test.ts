import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db";
import { openPostgres } from "@/db/client";
import { inngest } from "@/lib/inngest/client";
import { createEmbeddedEngine, type EmbeddedEngine } from "@/lib/inngest/embedded";
import { inngestQueue, rowsOf } from "@/lib/inngest/embedded/testing";
import { useTestDb } from "../helpers/db";
import { withDatabase } from "../helpers/pg-url";
import { captureLogs, fastTiming, serveFunctions, waitFor, waitForRun } from "./harness";

// On PostgreSQL an instance that dies holds its leases until they expire (30 s by default). With heartbeats, the
// surviving instance releases a silent instance's leases after a few missed beats and resumes its work at once.
// The lease here is a minute and the wait far shorter: only the heartbeat can explain the recovery.

const onPostgres = Boolean(process.env.DATABASE_URL);
if (!onPostgres) {
  console.log(
    "[tests/engine/heartbeat] skipped: needs PostgreSQL (DATABASE_URL). On PGlite one process owns the database and " +
      "releases every lease at start, so there is no other instance to detect.",
  );
}

const LEASE_MS = 60_000;
let releaseFirst: () => void = () => {};
let firstCalls = 0;
const resumable = inngest.createFunction(
  { id: "resumable", triggers: [{ event: "test/resumable" }] },
  async ({ step }) => {
    await step.run("first", async () => {
      firstCalls++;
      // The first execution hangs as if its instance had died mid-step; the one after recovery goes through.
      if (firstCalls === 1) await new Promise<void>((resolve) => (releaseFirst = resolve));
      return "first";
    });
    return step.run("second", () => "second");
  },
);

const testDb = onPostgres ? useTestDb() : undefined;
const engines: EmbeddedEngine[] = [];
let served: { url: string; close(): Promise<void> } | undefined;
let dyingHandle: DbHandle | undefined;

afterAll(async () => {
  releaseFirst();
  for (const engine of engines.reverse()) await engine.stop(200);
  await served?.close();
});

describe.skipIf(!onPostgres)("embedded engine on PostgreSQL: a dead instance is detected by its heartbeat", () => {
  it("resumes the work of an instance that stopped beating long before its leases expire", async () => {
    const db = testDb!.db();
    served = await serveFunctions([resumable]);
    const [{ name }] = rowsOf<{ name: string }>(await db.execute(sql`select current_database() as name`)) as [
      { name: string },
    ];
    dyingHandle = openPostgres(withDatabase(process.env.DATABASE_URL!, name), { max: 2 });
    const timing = { ...fastTiming, leaseMs: LEASE_MS, heartbeatMs: 100, workers: 1 };

    const dying = createEmbeddedEngine({ db: dyingHandle.db, logger: captureLogs().logger });
    engines.push(dying);
    await dying.start({ serveUrl: served.url, ...timing });
    const { ids } = await inngest.send({ name: "test/resumable", data: {} });
    await waitFor(async () => firstCalls === 1, { what: "the first instance to run the step" });
    const [held] = await db.select().from(inngestQueue);
    expect(held!.leaseOwner).not.toBeNull();
    expect(held!.leaseUntil!.getTime()).toBeGreaterThan(Date.now() + LEASE_MS / 2);

    // The instance dies: its connections are gone, it neither beats nor renews nor records anything any more.
    await dyingHandle.close();

    const survivor = createEmbeddedEngine({ db, logger: captureLogs().logger });
    engines.push(survivor);
    await survivor.start({ serveUrl: served.url, attachClient: false, ...timing });
    const runId = await waitFor(
      async () =>
        rowsOf<{ id: string }>(await db.execute(sql`select id from inngest_runs where event_id = ${ids[0]!}`))[0]?.id,
      { what: "the run" },
    );
    const run = await waitForRun(db, runId, LEASE_MS / 3);
    expect(run.status).toBe("completed");
    expect(run.output).toBe("second");
    expect(firstCalls).toBe(2);
  });
});
