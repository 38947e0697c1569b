import { asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  completeRun,
  engineContext,
  inngestAttempts,
  inngestQueue,
  inngestRuns,
  inngestSteps,
} from "@/lib/inngest/embedded/testing";
import type { EngineDb } from "@/lib/inngest/embedded/sql";
import { useTestDb } from "../helpers/db";
import { runWithLeasedCall } from "../helpers/engine-rows";

/**
 * A run's completion recorded in one statement (lib/inngest/embedded/run-complete.ts) must leave the same rows as
 * endRun's transaction: the run completed with its output, the call's attempt, no queue item left, no step left
 * outstanding — and must change nothing when the item is not ours or the run has a parent waiting (step.invoke).
 */

const { db } = useTestDb();
const ctx = () => engineContext(db() as EngineDb, () => {});
const OWNER = "engine-complete-test";

async function runWithItem(opts: { parent?: string; leaseOwner?: string } = {}) {
  const { runId, itemId } = await runWithLeasedCall(db() as EngineDb, {
    owner: opts.leaseOwner ?? OWNER,
    ...(opts.parent ? { parent: opts.parent } : {}),
  });
  return { runId, item: { id: itemId, runId, kind: "call" as const, stepId: null, attempt: 0 } };
}

const input = (item: { id: number; runId: string; kind: "call"; stepId: null; attempt: number }) => ({
  item,
  owner: OWNER,
  output: { words: 3 },
  httpStatus: 206,
  startedAt: new Date(Date.now() - 5),
  endedAt: new Date(),
});

async function runRow(runId: string) {
  const [run] = await db().select().from(inngestRuns).where(eq(inngestRuns.id, runId));
  return run!;
}

describe("embedded engine: a run's completion in one statement", () => {
  it("completes the run with its output, records the attempt, drops its queue items and cancels what was outstanding", async () => {
    const { runId, item } = await runWithItem();
    // A timer of a step still sleeping when the function returned (e.g. the loser of a Promise.race).
    await db()
      .insert(inngestQueue)
      .values({ runId, kind: "wake", stepId: "nap", availableAt: new Date(Date.now() + 60_000) });
    await db()
      .insert(inngestSteps)
      .values({ runId, id: "nap", name: "nap", op: "Sleep", status: "sleeping", seq: 0, createdAt: new Date() });

    expect(await completeRun(ctx(), input(item))).toBe("ended");

    expect(await runRow(runId)).toMatchObject({ status: "completed", output: { words: 3 }, error: null });
    expect((await runRow(runId)).endedAt).not.toBeNull();
    expect(await db().select().from(inngestQueue).where(eq(inngestQueue.runId, runId))).toEqual([]);
    const [nap] = await db().select().from(inngestSteps).where(eq(inngestSteps.runId, runId));
    expect(nap).toMatchObject({ status: "cancelled" });
    const attempts = await db()
      .select({ outcome: inngestAttempts.outcome, httpStatus: inngestAttempts.httpStatus })
      .from(inngestAttempts)
      .where(eq(inngestAttempts.runId, runId))
      .orderBy(asc(inngestAttempts.id));
    expect(attempts).toEqual([{ outcome: "completed", httpStatus: 206 }]);
  });

  it("records nothing for an item leased to another worker", async () => {
    const { runId, item } = await runWithItem({ leaseOwner: "engine-someone-else" });
    expect(await completeRun(ctx(), input(item))).toBe("stale");
    expect(await runRow(runId)).toMatchObject({ status: "running", output: null });
    expect(await db().select().from(inngestQueue).where(eq(inngestQueue.runId, runId))).toHaveLength(1);
  });

  it("leaves a run with a parent waiting on it to the general path, untouched", async () => {
    const parent = await runWithItem();
    const { runId, item } = await runWithItem({ parent: parent.runId });
    expect(await completeRun(ctx(), input(item))).toBe("general");
    expect(await runRow(runId)).toMatchObject({ status: "running" });
    expect(await db().select().from(inngestQueue).where(eq(inngestQueue.runId, runId))).toHaveLength(1);
    expect(await db().select().from(inngestAttempts).where(eq(inngestAttempts.runId, runId))).toEqual([]);
  });

  it("records nothing more for a run that has already ended, and consumes its item", async () => {
    const { runId, item } = await runWithItem();
    await db().update(inngestRuns).set({ status: "cancelled", endedAt: new Date() }).where(eq(inngestRuns.id, runId));
    expect(await completeRun(ctx(), input(item))).toBe("stale");
    expect(await runRow(runId)).toMatchObject({ status: "cancelled", output: null });
    expect(await db().select().from(inngestQueue).where(eq(inngestQueue.runId, runId))).toEqual([]);
  });
});
