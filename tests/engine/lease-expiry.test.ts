import { and, eq, sql } from "drizzle-orm";
import { afterAll, describe, expect } from "vitest";
import type { DbHandle } from "@/db";
import { openPostgres } from "@/db/client";
import { createEmbeddedEngine, type EmbeddedEngine } from "@/lib/inngest/embedded";
import { inngestAttempts, inngestQueue, inngestRuns, inngestSteps, rowsOf } from "@/lib/inngest/embedded/testing";
import { inngest } from "@/lib/inngest/client";
import { withDatabase } from "../helpers/pg-url";
import { raceName, raceTest } from "../helpers/postgres-only";
import { captureLogs, fastTiming, useEngine, waitFor, waitForRun } from "./harness";

/**
 * A lease that expires while its call is still running. Instance A (whichever of the two claims it first) claims a call and is slow (its step is held
 * open by the test); its lease runs out — made to by moving lease_until into the past, the fake clock, instead of
 * waiting — and instance B reclaims the item and runs the step again. A's call then returns: its result must be
 * refused by the lease-owner check (the item is B's now), and the step's memo must be the one B writes. Both paths
 * that record a call are covered: the one-statement fast path (a discovery call that ran one step) and the general
 * transaction (a targeted call of a parallel group, withItem). PostgreSQL only: the two instances need their own
 * connections for A's write to really meet B's lease.
 */

interface Gate {
  started: Promise<void>;
  markStarted(): void;
  release(): void;
  released: Promise<void>;
}
function gate(): Gate {
  let markStarted!: () => void;
  let release!: () => void;
  const started = new Promise<void>((r) => (markStarted = r));
  const released = new Promise<void>((r) => (release = r));
  return { started, markStarted, release, released };
}

/** Calls of the held step, in order: the first is A's, the second B's. Each returns its own result. */
let gates: Gate[] = [];
let calls = 0;
async function heldStep(): Promise<string> {
  const n = calls++;
  const g = gates[n];
  if (g) {
    g.markStarted();
    await g.released;
  }
  return `result of call ${n + 1}`;
}

const sequential = inngest.createFunction(
  { id: "lease-sequential", triggers: [{ event: "test/lease-sequential" }], retries: 0 },
  async ({ step }) => step.run("held", heldStep),
);
const parallel = inngest.createFunction(
  { id: "lease-parallel", triggers: [{ event: "test/lease-parallel" }], retries: 0 },
  async ({ step }) => {
    const [held, quick] = await Promise.all([step.run("held", heldStep), step.run("quick", async () => "quick")]);
    return `${held} + ${quick}`;
  },
);

// A long lease: only the test expires it (no wall clock decides), and A's renewal (every leaseMs / 3) stays out of it.
const LEASE_MS = 60_000;
// One worker per instance: the instance whose call is held cannot reclaim the item itself, so the other one does.
const t = useEngine(() => [sequential, parallel], { leaseMs: LEASE_MS, workers: 1 });
const b = captureLogs();
let bHandle: DbHandle | undefined;
let bEngine: EmbeddedEngine | undefined;

afterAll(async () => {
  for (const g of gates) g.release();
  await bEngine?.stop(2000);
  if (bHandle && bHandle !== t.handle()) await bHandle.close();
});

async function startInstanceB() {
  if (bEngine) return;
  const [{ name }] = rowsOf<{ name: string }>(await t.db().execute(sql`select current_database() as name`)) as [
    { name: string },
  ];
  bHandle = openPostgres(withDatabase(process.env.DATABASE_URL!, name), { max: 4 });
  bEngine = createEmbeddedEngine({ db: bHandle.db, singleProcess: false, logger: b.logger });
  await bEngine.start({ serveUrl: t.url(), attachClient: false, ...fastTiming, leaseMs: LEASE_MS, workers: 1 });
}

/** The queue item of the held step's call (the run's only call item left while the step is held). */
async function heldItem(runId: string) {
  const items = await t
    .db()
    .select()
    .from(inngestQueue)
    .where(and(eq(inngestQueue.runId, runId), eq(inngestQueue.kind, "call")));
  return items.length === 1 ? items[0]! : undefined;
}

async function heldMemo(runId: string) {
  const [row] = await t
    .db()
    .select()
    .from(inngestSteps)
    .where(and(eq(inngestSteps.runId, runId), eq(inngestSteps.name, "held")));
  return row;
}

async function attemptCount(runId: string): Promise<number> {
  return (await t.db().select().from(inngestAttempts).where(eq(inngestAttempts.runId, runId))).length;
}

async function runIdOf(functionId: string): Promise<string> {
  return waitFor(
    async () => {
      const [run] = await t
        .db()
        .select({ id: inngestRuns.id })
        .from(inngestRuns)
        .where(eq(inngestRuns.functionId, `story-sprout-${functionId}`));
      return run?.id;
    },
    { what: `the run of ${functionId}` },
  );
}

describe("embedded engine: a lease that expires while its call is in flight", () => {
  for (const [functionId, event, path] of [
    ["lease-sequential", "test/lease-sequential", "the fast path (discovery call that ran a step)"],
    ["lease-parallel", "test/lease-parallel", "the general path (targeted call of a parallel group)"],
  ] as const) {
    raceTest(
      raceName(`A's late result is refused and B's result is the step's memo: ${path}`),
      async () => {
        await startInstanceB();
        // B is running but has nothing to claim until A's lease runs out.
        gates = [gate(), gate()];
        calls = 0;
        const [a, bCall] = gates as [Gate, Gate];
        try {
          await inngest.send({ name: event, data: {} });
          const runId = await runIdOf(functionId);
          await a.started;
          // In the parallel group, wait for the quick step so that only the held step's item is left.
          const item = await waitFor(() => heldItem(runId), { what: "the held step's call alone in the queue" });
          const ownerA = item.leaseOwner!;
          expect(ownerA).toBeTruthy();

          // The fake clock: A's lease is over now, while A's call is still running.
          await t
            .db()
            .update(inngestQueue)
            .set({ leaseUntil: new Date(Date.now() - 1000) })
            .where(eq(inngestQueue.id, item.id));
          await bCall.started;
          const reclaimed = await heldItem(runId);
          expect(reclaimed).toMatchObject({ id: item.id });
          expect(reclaimed!.leaseOwner).not.toBe(ownerA);

          // A's call returns now; B's is still in flight. A's write must find the item no longer its own.
          const callsLogged = () =>
            [...t.logs, ...b.lines].filter((l) => l.msg === "inngest call" && l.fields.runId === runId).length;
          const loggedBefore = callsLogged();
          const attemptsBefore = await attemptCount(runId);
          a.release();
          await waitFor(async () => callsLogged() > loggedBefore, {
            what: "A to record (or be refused) its late result",
          });
          expect(await heldMemo(runId)).toSatisfy((memo) => memo === undefined || memo.status !== "completed");
          expect(await heldItem(runId)).toMatchObject({ id: item.id, leaseOwner: reclaimed!.leaseOwner });
          // A refused write records no attempt either (the attempt is written by the statement that takes the item).
          expect(await attemptCount(runId)).toBe(attemptsBefore);

          // B's call returns: its result is recorded, and it is the one the run goes on with.
          bCall.release();
          const run = await waitForRun(t.db(), runId);
          expect(run.status).toBe("completed");
          expect(await heldMemo(runId)).toMatchObject({ status: "completed", data: "result of call 2" });
          expect(JSON.stringify(run.output)).toContain("result of call 2");
          expect(JSON.stringify(run.output)).not.toContain("result of call 1");
          expect(calls).toBe(2);
        } finally {
          a.release();
          bCall.release();
        }
      },
      30_000,
    );
  }
});
