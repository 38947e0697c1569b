import crypto from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmbeddedEngine, type EmbeddedEngine, type LocalServeHandler } from "@/lib/inngest/embedded";
import {
  CheckpointDesk,
  engineContext,
  inngestAttempts,
  inngestRuns,
  inngestSteps,
} from "@/lib/inngest/embedded/testing";
import type { EngineDb } from "@/lib/inngest/embedded/sql";
import { inngest } from "@/lib/inngest/client";
import { localServeHandler } from "@/lib/inngest/serve";
import { useTestDb } from "../helpers/db";
import { runWithLeasedCall } from "../helpers/engine-rows";
import { captureLogs, fastTiming, sleep, waitFor, waitForRuns } from "./harness";

// Checkpointing (lib/inngest/embedded/checkpoint.ts): a call handed to the serve handler in this process runs the
// function's steps one after another, each acknowledged only once its row is committed. What must hold: fewer calls,
// the same results, every step once, and a call that dies midway resumes from what was checkpointed.

const runs = new Map<string, number>();
const count = (key: string) => runs.set(key, (runs.get(key) ?? 0) + 1);

const threeSteps = inngest.createFunction(
  { id: "cp-three", triggers: [{ event: "cp/three" }] },
  async ({ event, step }) => {
    const a = await step.run("a", () => {
      count("three-a");
      return (event.data as { n: number }).n + 1;
    });
    const b = await step.run("b", () => {
      count("three-b");
      return a * 10;
    });
    const c = await step.run("c", () => {
      count("three-c");
      return { sum: a + b };
    });
    return { a, b, c };
  },
);

/** Its third step outlives the call's timeout the first time: the call fails after two steps were checkpointed. */
const resumes = inngest.createFunction(
  { id: "cp-resume", triggers: [{ event: "cp/resume" }], retries: 2 },
  async ({ step }) => {
    const a = await step.run("a", () => {
      count("resume-a");
      return "A";
    });
    const b = await step.run("b", () => {
      count("resume-b");
      return "B";
    });
    const c = await step.run("c", async () => {
      count("resume-c");
      if (runs.get("resume-c") === 1) await sleep(1500);
      return "C";
    });
    return a + b + c;
  },
);

const withSleep = inngest.createFunction({ id: "cp-sleep", triggers: [{ event: "cp/sleep" }] }, async ({ step }) => {
  const before = await step.run("before", () => {
    count("sleep-before");
    return 1;
  });
  await step.sleep("nap", "1s");
  const after = await step.run("after", () => {
    count("sleep-after");
    return before + 1;
  });
  return after;
});

const parallel = inngest.createFunction(
  { id: "cp-parallel", triggers: [{ event: "cp/parallel" }] },
  async ({ step }) => {
    const first = await step.run("first", () => 1);
    const [x, y] = await Promise.all([step.run("x", () => first + 1), step.run("y", () => first + 2)]);
    const last = await step.run("last", () => x + y);
    return last;
  },
);

/** Ten steps of 40 ms each (within the 700 ms call timeout): long enough to stop the engine in the middle of its call. */
const slow = inngest.createFunction({ id: "cp-slow", triggers: [{ event: "cp/slow" }] }, async ({ step }) => {
  let total = 0;
  for (let i = 0; i < 10; i++) {
    total += await step.run(`s${i}`, async () => {
      count(`slow-${i}`);
      await sleep(40);
      return i;
    });
  }
  return total;
});

const functions = [threeSteps, resumes, withSleep, parallel, slow];

const db = useTestDb();
const useDb = () => db.db();
const logs = captureLogs();
let engine: EmbeddedEngine;
/** Every call the in-process handler received: the function, the step asked for and the call's `qi_id`. */
const calls: { fnId: string | null; stepId: string | null; qiId: string | undefined }[] = [];
const inner = localServeHandler(functions);
const recording: LocalServeHandler = async (request) => {
  if (request.method === "POST") {
    const url = new URL(request.url);
    const body = (await request.clone().json()) as { ctx?: { qi_id?: string } };
    calls.push({ fnId: url.searchParams.get("fnId"), stepId: url.searchParams.get("stepId"), qiId: body.ctx?.qi_id });
  }
  return inner(request);
};
const callsOf = (fn: string) => calls.filter((c) => c.fnId === `story-sprout-${fn}`);

async function startEngine() {
  engine = createEmbeddedEngine({ db: db.db(), logger: logs.logger, singleProcess: db.handle().mode === "pglite" });
  await engine.start({
    serveUrl: "http://127.0.0.1:9/api/inngest",
    localServe: recording,
    ...fastTiming,
    backoffBaseMs: 5,
    backoffMaxMs: 20,
    requestTimeoutMs: 700,
  });
}
beforeAll(startEngine);
afterAll(async () => {
  await engine?.stop(3000);
});

async function stepsOf(runId: string) {
  return db
    .db()
    .select({ name: inngestSteps.name, status: inngestSteps.status, data: inngestSteps.data, seq: inngestSteps.seq })
    .from(inngestSteps)
    .where(eq(inngestSteps.runId, runId))
    .orderBy(asc(inngestSteps.seq));
}

describe("embedded engine: checkpointing of in-process calls", () => {
  it("runs a three-step function in one call, each step memoized once and in order", async () => {
    await inngest.send({ name: "cp/three", data: { n: 4 } });
    const [run] = await waitForRuns(db.db(), "cp-three");
    expect(run).toMatchObject({ status: "completed", output: { a: 5, b: 50, c: { sum: 55 } } });
    // Without checkpointing this takes three calls (one step each, then the return value).
    expect(callsOf("cp-three")).toHaveLength(1);
    expect(callsOf("cp-three")[0]?.qiId).toMatch(/^\d+:\d+:engine-/);
    expect(await stepsOf(run!.id)).toEqual([
      { name: "a", status: "completed", data: 5, seq: 1 },
      { name: "b", status: "completed", data: 50, seq: 2 },
      { name: "c", status: "completed", data: { sum: 55 }, seq: 3 },
    ]);
    expect([runs.get("three-a"), runs.get("three-b"), runs.get("three-c")]).toEqual([1, 1, 1]);
    const attempts = await db
      .db()
      .select({ outcome: inngestAttempts.outcome })
      .from(inngestAttempts)
      .where(eq(inngestAttempts.runId, run!.id))
      .orderBy(asc(inngestAttempts.id));
    expect(attempts.map((a) => a.outcome)).toEqual(["step-ran", "step-ran", "step-ran", "completed"]);
  });

  it("resumes a call that died midway from its checkpointed steps, without running them again", async () => {
    await inngest.send({ name: "cp/resume", data: {} });
    const [run] = await waitForRuns(db.db(), "cp-resume");
    expect(run).toMatchObject({ status: "completed", output: "ABC" });
    expect(callsOf("cp-resume").length).toBeGreaterThanOrEqual(2);
    expect([runs.get("resume-a"), runs.get("resume-b")]).toEqual([1, 1]);
    expect(runs.get("resume-c")).toBe(2);
    expect((await stepsOf(run!.id)).map((s) => [s.name, s.data])).toEqual([
      ["a", "A"],
      ["b", "B"],
      ["c", "C"],
    ]);
  });

  it("ends a checkpointing call at a sleep and goes on after it", async () => {
    await inngest.send({ name: "cp/sleep", data: {} });
    const [run] = await waitForRuns(db.db(), "cp-sleep");
    expect(run).toMatchObject({ status: "completed", output: 2 });
    expect([runs.get("sleep-before"), runs.get("sleep-after")]).toEqual([1, 1]);
    expect(callsOf("cp-sleep")).toHaveLength(2);
  });

  it("runs a parallel group as planned steps between checkpointed ones", async () => {
    await inngest.send({ name: "cp/parallel", data: {} });
    const [run] = await waitForRuns(db.db(), "cp-parallel");
    expect(run).toMatchObject({ status: "completed", output: 5 });
    expect((await stepsOf(run!.id)).map((s) => s.name).sort()).toEqual(["first", "last", "x", "y"]);
  });

  it("refuses a checkpoint for a call that has ended (409) and one without the signing key (401)", async () => {
    const call = callsOf("cp-three")[0]!;
    const [run] = await waitForRuns(db.db(), "cp-three");
    const post = (authorization: string) =>
      engine.fetch(`http://inngest-embedded.invalid/v1/checkpoint/${run!.id}/async`, {
        method: "POST",
        headers: { authorization, "content-type": "application/json" },
        body: JSON.stringify({
          run_id: run!.id,
          fn_id: "story-sprout-cp-three",
          qi_id: call.qiId,
          steps: [{ id: "ffff", op: "StepRun", name: "late", data: 1 }],
        }),
      });
    const key = engine.keys!.signingKey;
    const prefix = /^signkey-[\w]+-/.exec(key)?.[0] ?? "";
    const hashed = crypto
      .createHash("sha256")
      .update(Buffer.from(key.slice(prefix.length), "hex"))
      .digest("hex");
    expect((await post(`Bearer ${prefix}${hashed}`)).status).toBe(409);
    expect((await post("Bearer signkey-embedded-0000")).status).toBe(401);
    expect((await stepsOf(run!.id)).map((s) => s.name)).toEqual(["a", "b", "c"]);
  });

  it("stops a call at its next checkpoint when the engine stops, and the next engine goes on from there", async () => {
    await inngest.send({ name: "cp/slow", data: {} });
    await waitFor(async () => runs.get("slow-2"), { what: "the third step to start" });
    await engine.stop(5000);
    const [stopped] = await db
      .db()
      .select()
      .from(inngestRuns)
      .where(eq(inngestRuns.functionId, "story-sprout-cp-slow"));
    // Not failed by the stop: the call ended at a checkpoint and its item went back to the queue.
    expect(stopped?.status).toBe("running");
    expect(runs.get("slow-9")).toBeUndefined();
    await startEngine();
    const [run] = await waitForRuns(db.db(), "cp-slow");
    expect(run).toMatchObject({ status: "completed", output: 45 });
    // Every step ran once: the one running at the stop was checkpointed, not run again.
    expect(Array.from({ length: 10 }, (_, i) => runs.get(`slow-${i}`))).toEqual(Array(10).fill(1));
  });
});

describe("the checkpoint desk", () => {
  const OWNER = "engine-desk-test";
  const ctx = () => engineContext(useDb() as EngineDb, () => {});
  const leasedItem = (owner = OWNER) => runWithLeasedCall(useDb() as EngineDb, { owner });
  const qi = (id: string) => id.split(":").map(Number) as [number, number];
  const step = (id: string, data: unknown) => ({ id, op: "StepRun", name: id, data });

  it("records a re-sent checkpoint once and has the next call read the run's steps again", async () => {
    const desk = new CheckpointDesk(ctx(), OWNER, "signkey-test-00");
    const { runId, itemId } = await leasedItem();
    const id = desk.openCall(itemId, runId, 0, new Date());
    const [item, nonce] = qi(id);
    expect(await desk.receive(item, nonce, runId, [step("a", 1)])).toEqual({ status: 200 });
    expect(await desk.receive(item, nonce, runId, [step("a", 1)])).toEqual({ status: 200 });
    const closed = desk.closeCall(id);
    expect(closed.memoized).toEqual([["a", "completed", 1, null]]);
    expect(closed.reload).toBe(true);
    expect(await useDb().select().from(inngestSteps).where(eq(inngestSteps.runId, runId))).toHaveLength(1);
  });

  it("refuses a checkpoint whose item is leased to another worker, recording nothing", async () => {
    const desk = new CheckpointDesk(ctx(), OWNER, "signkey-test-00");
    const { runId, itemId } = await leasedItem("engine-someone-else");
    const id = desk.openCall(itemId, runId, 0, new Date());
    const [item, nonce] = qi(id);
    expect((await desk.receive(item, nonce, runId, [step("a", 1)])).status).toBe(409);
    expect(desk.closeCall(id)).toMatchObject({ refused: "stale", memoized: [] });
    expect(await useDb().select().from(inngestSteps).where(eq(inngestSteps.runId, runId))).toEqual([]);
  });

  it("keeps a later call of the same item apart from an earlier one", async () => {
    const desk = new CheckpointDesk(ctx(), OWNER, "signkey-test-00");
    const { runId, itemId } = await leasedItem();
    const first = desk.openCall(itemId, runId, 0, new Date());
    const second = desk.openCall(itemId, runId, 0, new Date());
    const [item, oldNonce] = qi(first);
    expect((await desk.receive(item, oldNonce, runId, [step("a", 1)])).status).toBe(409);
    desk.closeCall(first);
    const [, nonce] = qi(second);
    expect(await desk.receive(item, nonce, runId, [step("b", 2)])).toEqual({ status: 200 });
    expect(desk.closeCall(second).memoized).toEqual([["b", "completed", 2, null]]);
  });

  it("fails loudly on an op it does not implement, and stops a call when draining after recording its step", async () => {
    const desk = new CheckpointDesk(ctx(), OWNER, "signkey-test-00");
    const one = await leasedItem();
    const id = desk.openCall(one.itemId, one.runId, 0, new Date());
    const [item, nonce] = qi(id);
    expect((await desk.receive(item, nonce, one.runId, [{ id: "d", op: "DeferAdd", name: "d" }])).status).toBe(409);
    expect(desk.closeCall(id)).toMatchObject({ unsupported: "DeferAdd" });

    const two = await leasedItem();
    const id2 = desk.openCall(two.itemId, two.runId, 0, new Date());
    const [item2, nonce2] = qi(id2);
    desk.drain();
    expect((await desk.receive(item2, nonce2, two.runId, [step("a", 1)])).status).toBe(409);
    expect(desk.closeCall(id2)).toMatchObject({ refused: "draining", memoized: [["a", "completed", 1, null]] });
    expect(await useDb().select().from(inngestSteps).where(eq(inngestSteps.runId, two.runId))).toHaveLength(1);
  });
});
