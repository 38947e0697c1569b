import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  applyDiscoveryStep,
  engineContext,
  inngestRuns,
  inngestSteps,
  memoizeStep,
  ulid,
} from "@/lib/inngest/embedded/testing";
import type { EngineDb } from "@/lib/inngest/embedded/sql";
import { useTestDb } from "../helpers/db";
import { leasedCall } from "../helpers/engine-rows";

/**
 * First write wins: a step's memo, once completed, is never overwritten by a second result for it. The lease check
 * (tests/engine/lease-expiry.test.ts) keeps a late call from recording at all; this is the backstop behind it, for a
 * result that gets past it — the same instance reclaiming its own expired item (its owner id is the instance's, so a
 * second worker of it passes the check), or a replay that reports a memoized step again. Both recording paths are
 * driven directly against the database: the fast path's one statement and memoizeStep (the general transaction).
 */

const { db } = useTestDb();
const silent = () => {};
/** The app's handle as the engine takes it (createEmbeddedEngine is given the same one). */
const engineDb = (): EngineDb => db();

async function newRun(): Promise<string> {
  const id = ulid();
  await db()
    .insert(inngestRuns)
    .values({ id, functionId: "memo-test", status: "running", event: { name: "test/memo", data: {} } });
  return id;
}

async function memoOf(runId: string, stepId: string) {
  const [row] = await db()
    .select()
    .from(inngestSteps)
    .where(and(eq(inngestSteps.runId, runId), eq(inngestSteps.id, stepId)));
  return row;
}

describe("embedded engine: a step's memo keeps its first result", () => {
  it("fast path: a second StepRun of a memoized step, under a valid lease, leaves the first result", async () => {
    const ctx = engineContext(engineDb(), silent);
    const runId = await newRun();
    const owner = "engine-test";
    const firstId = await leasedCall(engineDb(), runId, owner);
    const state = {
      functionId: "memo-test",
      event: { id: "e1", name: "test/memo", data: {}, ts: Date.now() },
      steps: [],
    };
    const base = { owner, state, httpStatus: 206, startedAt: new Date(), endedAt: new Date(), continueLeaseMs: 60_000 };
    const item = (id: number) => ({ id, runId, kind: "call" as const, stepId: null, attempt: 0 });

    const recorded = await applyDiscoveryStep(ctx, {
      ...base,
      item: item(firstId),
      op: { id: "s1", op: "StepRun", name: "s1", data: "first result" },
    });
    expect(recorded).toMatchObject({ applied: true });
    expect(recorded.next).not.toBeNull();

    // The next discovery call (leased to the same owner, so the lease check passes) reports the step again.
    const again = await applyDiscoveryStep(ctx, {
      ...base,
      item: item(recorded.next!.id),
      op: { id: "s1", op: "StepRun", name: "s1", data: "second result" },
    });
    expect(again).toMatchObject({ applied: true, repeated: true });
    expect(await memoOf(runId, "s1")).toMatchObject({ status: "completed", data: "first result" });
  });

  it("general path: memoizeStep refuses a second result, data or error, for a completed step", async () => {
    const runId = await newRun();
    const step = { id: "s2", name: "s2", op: "StepRun" };
    const write = (result: { data: unknown } | { error: { name: string; message: string } }) =>
      engineDb().transaction((tx) => memoizeStep(tx, runId, step, result, new Date()));

    expect(await write({ data: "first result" })).toBe(true);
    expect(await write({ data: "second result" })).toBe(false);
    expect(await write({ error: { name: "Error", message: "late failure" } })).toBe(false);
    expect(await memoOf(runId, "s2")).toMatchObject({ status: "completed", data: "first result", error: null });
  });
});
