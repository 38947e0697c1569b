import { sql } from "drizzle-orm";
import { afterAll, describe, expect } from "vitest";
import type { DbHandle } from "@/db";
import { openPostgres } from "@/db/client";
import { createEmbeddedEngine, type EmbeddedEngine } from "@/lib/inngest/embedded";
import { rowsOf } from "@/lib/inngest/embedded/testing";
import { inngest } from "@/lib/inngest/client";
import { withDatabase } from "../helpers/pg-url";
import { raceName, raceTest } from "../helpers/postgres-only";
import { captureLogs, fastTiming, sleep, useEngine, waitForRuns } from "./harness";

// Two engines on one PostgreSQL park and wake runs of the same keys at once: a wake must never start more runs than
// the key has slots, and none may stay parked (the safety re-check is a minute, beyond the test's timeout).
const RECHECK_MS = 60_000;
const LIMIT = 2;

const executions = new Map<string, number>();
const current = new Map<string, number>();
let maxPerKey = 0;

const raced = inngest.createFunction(
  { id: "wake-race", concurrency: { limit: LIMIT, key: "event.data.k" }, triggers: [{ event: "test/wake-race" }] },
  async ({ event, runId, step }) => {
    const k = (event.data as { k: string }).k;
    for (const name of ["one", "two"]) {
      await step.run(name, async () => {
        const id = `${runId}:${name}`;
        executions.set(id, (executions.get(id) ?? 0) + 1);
        const now = (current.get(k) ?? 0) + 1;
        current.set(k, now);
        maxPerKey = Math.max(maxPerKey, now);
        await sleep(5);
        current.set(k, (current.get(k) ?? 1) - 1);
      });
    }
  },
);

const timing = { workers: 3, concurrencyRecheckMs: RECHECK_MS };
const t = useEngine(() => [raced], timing);
let secondHandle: DbHandle | undefined;
let secondEngine: EmbeddedEngine | undefined;

afterAll(async () => {
  await secondEngine?.stop(2000);
  await secondHandle?.close();
});

describe("embedded engine: parked runs woken by several instances on one PostgreSQL", () => {
  raceTest(
    raceName("never exceed a key's limit and wake every parked run"),
    async () => {
      const [{ name }] = rowsOf<{ name: string }>(await t.db().execute(sql`select current_database() as name`)) as [
        { name: string },
      ];
      secondHandle = openPostgres(withDatabase(process.env.DATABASE_URL!, name), { max: 4 });
      secondEngine = createEmbeddedEngine({ db: secondHandle.db, singleProcess: false, logger: captureLogs().logger });
      await secondEngine.start({ serveUrl: t.url(), attachClient: false, ...fastTiming, ...timing });

      const keys = ["k1", "k2"];
      await inngest.send(Array.from({ length: 24 }, (_, i) => ({ name: "test/wake-race", data: { k: keys[i % 2] } })));
      const runs = await waitForRuns(t.db(), "wake-race", 24, 25_000);
      expect(runs.every((r) => r.status === "completed")).toBe(true);
      expect(executions.size).toBe(48);
      expect([...executions.values()].every((n) => n === 1)).toBe(true);
      expect(maxPerKey).toBeLessThanOrEqual(LIMIT);
    },
    30_000,
  );
});
