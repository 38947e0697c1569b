import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db";
import { openPostgres } from "@/db/client";
import { createEmbeddedEngine, type EmbeddedEngine } from "@/lib/inngest/embedded";
import { rowsOf } from "@/lib/inngest/embedded/testing";
import { inngest } from "@/lib/inngest/client";
import { withDatabase } from "../helpers/pg-url";
import { captureLogs, fastTiming, runsOf, sleep, useEngine, waitFor, waitForRuns } from "./harness";
import { serveFunctions } from "./serve-functions";

// Two engine instances share one database, as two app processes would. On PostgreSQL the second instance has its
// own connection pool, so claims really race; on PGlite (one connection) they interleave.

const executions = new Map<string, number>();
const current = new Map<string, number>();
let maxPerKey = 0;

const shared = inngest.createFunction(
  { id: "shared", concurrency: { limit: 1, key: "event.data.k" }, triggers: [{ event: "test/shared" }] },
  async ({ event, runId, step }) => {
    const k = (event.data as { k: string }).k;
    for (const name of ["one", "two", "three"]) {
      await step.run(name, async () => {
        const id = `${runId}:${name}`;
        executions.set(id, (executions.get(id) ?? 0) + 1);
        const now = (current.get(k) ?? 0) + 1;
        current.set(k, now);
        maxPerKey = Math.max(maxPerKey, now);
        await sleep(5);
        current.set(k, now - 1);
      });
    }
  },
);

const t = useEngine(() => [shared], { workers: 1 });
const second = captureLogs();
let secondHandle: DbHandle | undefined;
let secondEngine: EmbeddedEngine | undefined;

const fresh = inngest.createFunction({ id: "fresh", triggers: [{ event: "test/fresh" }] }, async () => "ran");
let third: { engine: EmbeddedEngine; served: { close(): Promise<void> } } | undefined;

afterAll(async () => {
  await third?.engine.stop(2000);
  await third?.served.close();
  await secondEngine?.stop(2000);
  if (secondHandle && secondHandle !== t.handle()) await secondHandle.close();
});

describe("embedded engine: several instances on one database", () => {
  it("shares the work without losing or repeating a step, and keeps keyed limits across instances", async () => {
    if (process.env.DATABASE_URL) {
      const [{ name }] = rowsOf<{ name: string }>(await t.db().execute(sql`select current_database() as name`)) as [
        { name: string },
      ];
      secondHandle = openPostgres(withDatabase(process.env.DATABASE_URL, name), { max: 4 });
    } else secondHandle = t.handle();
    secondEngine = createEmbeddedEngine({
      db: secondHandle.db,
      singleProcess: secondHandle.mode === "pglite",
      logger: second.logger,
    });
    await secondEngine.start({
      serveUrl: t.url(),
      // The first engine serves this process's client; this one only works the shared queue.
      attachClient: false,
      ...fastTiming,
      // One call at a time per instance, so that neither instance can take all the work by itself.
      workers: 1,
    });

    const keys = ["k1", "k2", "k3"];
    await inngest.send(Array.from({ length: 30 }, (_, i) => ({ name: "test/shared", data: { k: keys[i % 3] } })));
    const runs = await waitForRuns(t.db(), "shared", 30, 60_000);
    expect(runs.every((r) => r.status === "completed")).toBe(true);
    expect(executions.size).toBe(90);
    expect([...executions.values()].every((n) => n === 1)).toBe(true);
    expect(maxPerKey).toBe(1);
    const startedBy = (lines: { msg: string }[]) => lines.filter((l) => l.msg === "inngest step completed").length;
    expect(startedBy(t.logs) + startedBy(second.lines)).toBe(90);
    expect(startedBy(second.lines)).toBeGreaterThan(0);
    expect(startedBy(t.logs)).toBeGreaterThan(0);
  });

  it("starts a function another instance has just registered: that sync's NOTIFY clears this one's cached list", async () => {
    // This instance's function list is cached (it received events a moment ago); a newer deployment of the app,
    // started as another instance, registers one function more.
    await inngest.send({ name: "test/shared", data: { k: "warm" } });
    await waitForRuns(t.db(), "shared", 31, 20_000);
    const served = await serveFunctions([shared, fresh]);
    const engine = createEmbeddedEngine({
      db: (secondHandle ?? t.handle()).db,
      singleProcess: (secondHandle ?? t.handle()).mode === "pglite",
      logger: captureLogs().logger,
    });
    third = { engine, served };
    await engine.start({ serveUrl: served.url, attachClient: false, ...fastTiming, workers: 1 });
    // Sent through this instance: its intake must see the new function within moments (the notification travels
    // on its own connection), not when a list cached for 30 s expires.
    await waitFor(
      async () => {
        await inngest.send({ name: "test/fresh", data: {} });
        return (await runsOf(t.db(), "fresh")).length > 0 ? true : null;
      },
      { timeoutMs: 5_000, what: "a run of the function the other instance registered" },
    );
  });
});
