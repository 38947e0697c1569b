import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import type { InngestFunction } from "inngest";
import { serve } from "inngest/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inngest } from "@/lib/inngest/client";
import { createEmbeddedEngine, type EmbeddedEngine } from "@/lib/inngest/embedded";
import {
  engineContext,
  inngestFunctions,
  inngestRuns,
  invalidateFunctionCache,
  syncApp,
} from "@/lib/inngest/embedded/testing";
import { serveOptions } from "@/lib/inngest/serve";
import { useTestDb } from "../helpers/db";
import { captureLogs, fastTiming, runsOf, serveFunctions, sleep, waitFor, waitForRuns } from "./harness";

// "A Generate right after start never runs": events that reach the engine before it has registered the app's
// functions, and re-sends of a job whose first event started nothing.

const ran: string[] = [];
const before = inngest.createFunction(
  { id: "known-before", triggers: [{ event: "test/early" }] },
  async ({ event }) => {
    ran.push(`before:${event.id}`);
    return "before";
  },
);
const added = inngest.createFunction(
  { id: "new-in-deploy", triggers: [{ event: "test/early" }] },
  async ({ event }) => {
    ran.push(`new:${event.id}`);
    return "new";
  },
);
const perJob = inngest.createFunction(
  { id: "per-job", idempotency: "event.data.jobId", triggers: [{ event: "test/job" }] },
  async ({ event }) => {
    ran.push(`job:${String(event.data.jobId)}`);
    return event.data.jobId;
  },
);

/** The real serve() handler behind a gate: until opened it answers 503, as an app that is not listening yet. */
async function gatedServer(functions: InngestFunction.Any[]) {
  const handler = serve(serveOptions(functions));
  let open = false;
  const server = http.createServer((req, res) => {
    if (!open) {
      res.statusCode = 503;
      res.end("not yet");
      return;
    }
    void handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/inngest`,
    open: () => {
      open = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const testDb = useTestDb();
const logs = captureLogs();
let app: Awaited<ReturnType<typeof gatedServer>> | undefined;
let engine: EmbeddedEngine | undefined;

beforeAll(async () => {
  app = await gatedServer([before, added, perJob]);
});
afterAll(async () => {
  await engine?.stop(2000);
  await app?.close();
});

describe("embedded engine: events received before the first registration", () => {
  it("start their runs once registration completes, once per function, and older events are not replayed", async () => {
    const db = testDb.db();
    engine = createEmbeddedEngine({ db, logger: logs.logger, singleProcess: testDb.handle().mode === "pglite" });
    // The previous deploy served only known-before; an event of that time (history) started its run then.
    const previous = await serveFunctions([before]);
    try {
      await syncApp(engineContext(db), previous.url, (await engine.attach()).signingKey);
    } finally {
      await previous.close();
    }
    const { ids: oldIds } = await inngest.send({ name: "test/early", data: {} });
    expect(await runsOf(db, "known-before")).toHaveLength(1);
    await db.delete(inngestRuns);

    // This deploy adds new-in-deploy; the app answers nothing yet, so the engine cannot register it.
    await engine.start({ serveUrl: app!.url, waitForSync: false, ...fastTiming });
    const { ids: earlyIds } = await inngest.send({ name: "test/early", data: {} });
    const { ids: jobIds } = await inngest.send({ name: "test/job", data: { jobId: "j-early" }, id: "j-early" });
    await sleep(100);
    expect(engine.status.synced).toBe(false);
    expect((await runsOf(db, "known-before")).map((r) => r.eventId)).toEqual(earlyIds);
    expect(await runsOf(db, "new-in-deploy")).toHaveLength(0);
    expect(await runsOf(db, "per-job")).toHaveLength(0);

    app!.open();
    await waitForRuns(db, "per-job", 1);
    const news = await waitForRuns(db, "new-in-deploy", 1);
    expect(news.map((r) => r.eventId)).toEqual(earlyIds);
    expect((await runsOf(db, "per-job")).map((r) => r.eventId)).toEqual(jobIds);
    // The early event's run of known-before (started at intake) is not started again; the old event stays history.
    const befores = await waitForRuns(db, "known-before", 1);
    expect(befores.map((r) => r.eventId)).toEqual(earlyIds);
    await sleep(200);
    expect(ran.filter((r) => r === `before:${earlyIds[0]}`)).toHaveLength(1);
    expect(ran.filter((r) => r === `new:${earlyIds[0]}`)).toHaveLength(1);
    expect(ran.some((r) => r.endsWith(oldIds[0]!))).toBe(false);
    expect(await runsOf(db, "new-in-deploy")).toHaveLength(1);
    expect(await runsOf(db, "known-before")).toHaveLength(1);
  });
});

describe("embedded engine: a function's idempotency key", () => {
  it("starts one run per key in 24 h, whatever the event ids; another key starts its own", async () => {
    const db = testDb.db();
    await waitFor(async () => engine?.status.synced, { what: "sync" });
    const stored = await db.select().from(inngestFunctions).where(eq(inngestFunctions.id, "story-sprout-per-job"));
    expect((stored[0]!.config as { idempotency?: string }).idempotency).toBe("event.data.jobId");

    await inngest.send({ name: "test/job", data: { jobId: "j1" }, id: "j1" });
    // The same id again is a duplicate event; a fresh id (a re-send) reaches the function, whose key is taken.
    await inngest.send({ name: "test/job", data: { jobId: "j1" }, id: "j1" });
    await inngest.send({ name: "test/job", data: { jobId: "j1" } });
    await inngest.send({ name: "test/job", data: { jobId: "j2" } });
    await waitForRuns(db, "per-job", 3);
    await sleep(200);
    const runs = await runsOf(db, "per-job");
    expect(runs.map((r) => (r.event as { data: { jobId: string } }).data.jobId).sort()).toEqual([
      "j-early",
      "j1",
      "j2",
    ]);
    expect(ran.filter((r) => r === "job:j1")).toHaveLength(1);
  });

  it("lets a fresh event id start a job whose first event (same id as the job) started nothing", async () => {
    const db = testDb.db();
    // The first event of j3 was accepted while per-job was not registered (simulated: it is unregistered now).
    const setActive = async (active: boolean) => {
      await db.update(inngestFunctions).set({ active }).where(eq(inngestFunctions.id, "story-sprout-per-job"));
      invalidateFunctionCache(db);
    };
    await setActive(false);
    await inngest.send({ name: "test/job", data: { jobId: "j3" }, id: "j3" });
    await setActive(true);
    // Re-sending with the job id as event id is swallowed by the 24 h event-id check …
    await inngest.send({ name: "test/job", data: { jobId: "j3" }, id: "j3" });
    await sleep(200);
    expect(ran.filter((r) => r === "job:j3")).toHaveLength(0);
    // … a re-send under a fresh id (what the sweeper does) starts it, once.
    await inngest.send({ name: "test/job", data: { jobId: "j3" } });
    await inngest.send({ name: "test/job", data: { jobId: "j3" } });
    await waitFor(async () => ran.includes("job:j3"), { what: "j3 to run" });
    await waitForRuns(db, "per-job", 4);
    await sleep(200);
    expect(ran.filter((r) => r === "job:j3")).toHaveLength(1);
  });
});
