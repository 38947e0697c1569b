import { and, eq, isNotNull, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { inngestQueue, rowsOf } from "@/lib/inngest/embedded/testing";
import { inngest } from "@/lib/inngest/client";
import { runsOf, sleep, useEngine, waitFor, waitForRuns } from "./harness";

// A run held back by a full concurrency key is parked on that key and woken when a slot frees. The safety re-check
// is set to a minute here, far beyond every test's timeout: a run that only started on the re-check fails the test.
const RECHECK_MS = 60_000;
const TEST_TIMEOUT_MS = 20_000;

const current = new Map<string, number>();
const maxPerKey = new Map<string, number>();
const executions = new Map<string, number>();
let releaseHeld: () => void = () => {};
const held = new Promise<void>((resolve) => {
  releaseHeld = resolve;
});

const keyed = inngest.createFunction(
  { id: "wake-keyed", concurrency: { limit: 1, key: "event.data.k" }, triggers: [{ event: "test/wake-keyed" }] },
  async ({ event, runId, step }) => {
    const { k, hold } = event.data as { k: string; hold?: boolean };
    await step.run("work", async () => {
      const id = `${runId}:work`;
      const n = (executions.get(id) ?? 0) + 1;
      executions.set(id, n);
      const now = (current.get(k) ?? 0) + 1;
      current.set(k, now);
      maxPerKey.set(k, Math.max(maxPerKey.get(k) ?? 0, now));
      try {
        // The first attempt of a "hold" run stands for a process that hangs (and then dies) while holding the slot.
        if (hold && n === 1) await held;
        else await sleep(50);
      } finally {
        current.set(k, (current.get(k) ?? 1) - 1);
      }
    });
    return k;
  },
);

const t = useEngine(() => [keyed], { workers: 4, concurrencyRecheckMs: RECHECK_MS });

afterAll(() => releaseHeld());

const parkedOf = async (runId: string) =>
  t
    .db()
    .select({ id: inngestQueue.id })
    .from(inngestQueue)
    .where(and(eq(inngestQueue.runId, runId), isNotNull(inngestQueue.parkedOn)));

const parkedCount = async () => {
  const [row] = rowsOf<{ n: number | string }>(
    await t.db().execute(sql`select count(*) as n from ${inngestQueue} where ${inngestQueue.parkedOn} is not null`),
  );
  return Number(row?.n ?? 0);
};

describe("embedded engine: runs blocked on a concurrency key", () => {
  it(
    "start as soon as the slot frees, one at a time, not on the re-check",
    async () => {
      await inngest.send(Array.from({ length: 5 }, () => ({ name: "test/wake-keyed", data: { k: "a" } })));
      // They do wait: the claim that starts the first parks the others (each then has to be woken).
      await waitFor(async () => (await parkedCount()) > 0, { what: "a parked run", intervalMs: 5 });
      const runs = await waitForRuns(t.db(), "wake-keyed", 5, TEST_TIMEOUT_MS - 2000);
      expect(runs.map((r) => r.status)).toEqual(Array(5).fill("completed"));
      expect(maxPerKey.get("a")).toBe(1);
      expect(runs.map((r) => executions.get(`${r.id}:work`))).toEqual(Array(5).fill(1));
      expect(await parkedCount()).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "wakes a parked run once the slot holder's lease expired (its process died) and another worker took it over",
    async () => {
      await inngest.send({ name: "test/wake-keyed", data: { k: "crash", hold: true } });
      const holder = await waitFor(
        async () => {
          const [run] = await runsOf(t.db(), "wake-keyed").then((rs) =>
            rs.filter((r) => (r.event as { data: { k: string } }).data.k === "crash"),
          );
          return run && executions.get(`${run.id}:work`) === 1 ? run : null;
        },
        { what: "the holder's step to start" },
      );
      await inngest.send({ name: "test/wake-keyed", data: { k: "crash" } });
      const waiting = await waitFor(
        async () => {
          const runs = await runsOf(t.db(), "wake-keyed");
          const run = runs.find((r) => r.id !== holder.id && (r.event as { data: { k: string } }).data.k === "crash");
          return run && (await parkedOf(run.id)).length ? run : null;
        },
        { what: "the second run to be parked" },
      );
      // The holder's process "dies": its lease passes to nobody and expires shortly; the hung call never returns.
      await t
        .db()
        .update(inngestQueue)
        .set({ leaseOwner: "engine-gone", leaseUntil: sql`now() + interval '200 milliseconds'` })
        .where(eq(inngestQueue.runId, holder.id));
      const runs = await waitForRuns(t.db(), "wake-keyed", 7, TEST_TIMEOUT_MS - 4000);
      const crashRuns = runs.filter((r) => [holder.id, waiting.id].includes(r.id));
      expect(crashRuns.map((r) => r.status)).toEqual(["completed", "completed"]);
      expect(executions.get(`${holder.id}:work`)).toBe(2);
      expect(executions.get(`${waiting.id}:work`)).toBe(1);
    },
    TEST_TIMEOUT_MS,
  );
});
