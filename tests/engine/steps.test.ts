import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { inngestSteps } from "@/lib/inngest/embedded/testing";
import { inngest } from "@/lib/inngest/client";
import { runsOf, useEngine, waitFor, waitForRuns } from "./harness";

const parallelCounts: Record<string, number> = {};
const parallel = inngest.createFunction(
  { id: "parallel", triggers: [{ event: "test/parallel" }] },
  async ({ step }) => {
    const bump = (name: string) => {
      parallelCounts[name] = (parallelCounts[name] ?? 0) + 1;
    };
    const results = await Promise.all(
      ["p1", "p2", "p3"].map((id) =>
        step.run(id, async () => {
          bump(id);
          return id.toUpperCase();
        }),
      ),
    );
    const after = await step.run("after", () => {
      bump("after");
      return results.join("+");
    });
    return { results, after };
  },
);

let sleptAcross = 0;
const sleeper = inngest.createFunction({ id: "sleeper", triggers: [{ event: "test/sleep" }] }, async ({ step }) => {
  const before = await step.run("before", () => Date.now());
  await step.sleep("nap", "1s");
  const after = await step.run("after", () => Date.now());
  sleptAcross = after - before;
  return "awake";
});

const fanOut = inngest.createFunction(
  { id: "fan-out", triggers: [{ event: "test/fan-out" }] },
  async ({ event, step }) => {
    const n = (event.data as { n: number }).n;
    const { ids } = await step.sendEvent(
      "fan",
      Array.from({ length: n }, (_, i) => ({ name: "test/fan-child", data: { i } })),
    );
    return ids.length;
  },
);
const fanChild = inngest.createFunction(
  { id: "fan-child", triggers: [{ event: "test/fan-child" }] },
  async ({ event, step }) => step.run("square", () => (event.data as { i: number }).i ** 2),
);

const child = inngest.createFunction({ id: "child", triggers: [] }, async ({ event, step }) => {
  const data = event.data as { value: number; fail?: boolean };
  return step.run("double", () => {
    if (data.fail) throw new Error("child says no");
    return data.value * 2;
  });
});
const childNoRetry = inngest.createFunction({ id: "child-no-retry", retries: 0, triggers: [] }, async () => {
  throw new Error("child says no");
});
const parent = inngest.createFunction(
  { id: "parent", triggers: [{ event: "test/invoke" }] },
  async ({ event, step }) => {
    const value = (event.data as { value: number }).value;
    const doubled = await step.invoke("call-child", { function: child, data: { value } });
    let failure = "";
    try {
      await step.invoke("call-failing-child", { function: childNoRetry, data: {} });
    } catch (error) {
      failure = (error as Error).message;
    }
    return { doubled, failure };
  },
);

const waiter = inngest.createFunction({ id: "waiter", triggers: [{ event: "test/wait" }] }, async ({ step }) => {
  const approval = await step.waitForEvent("approval", {
    event: "test/approved",
    timeout: "30s",
    if: "event.data.docId == async.data.docId",
  });
  return approval ? (approval.data as { by: string }).by : null;
});

const slowChild = inngest.createFunction({ id: "slow-child", triggers: [] }, async ({ step }) => {
  await step.sleep("forever", "1h");
});
const impatient = inngest.createFunction(
  { id: "impatient", triggers: [{ event: "test/impatient" }] },
  async ({ step }) => {
    const invoked = await step
      .invoke("call-slow", { function: slowChild, data: {}, timeout: "1s" })
      .then(() => "returned")
      .catch((error: Error) => error.message);
    const approval = await step.waitForEvent("never-approved", { event: "test/never", timeout: "1s" });
    return { invoked, approval };
  },
);

const ponder = inngest.createFunction({ id: "ponder", triggers: [{ event: "test/ponder" }] }, async ({ step }) => {
  await step.run("quick", () => 1);
  await step.run("think", () => new Promise((resolve) => setTimeout(() => resolve(2), 300)));
  return "done";
});

const t = useEngine(() => [
  ponder,
  parallel,
  sleeper,
  fanOut,
  fanChild,
  child,
  childNoRetry,
  parent,
  waiter,
  slowChild,
  impatient,
]);

describe("embedded engine: steps", () => {
  it("plans parallel steps (StepPlanned), runs each once, then continues", async () => {
    await inngest.send({ name: "test/parallel", data: {} });
    const [run] = await waitForRuns(t.db(), "parallel");
    expect(run!.status).toBe("completed");
    expect(run!.output).toEqual({ results: ["P1", "P2", "P3"], after: "P1+P2+P3" });
    expect(parallelCounts).toEqual({ p1: 1, p2: 1, p3: 1, after: 1 });
    const detail = (await t.engine().query.getRun(run!.id))!;
    expect(detail.steps.map((s) => s.status)).toEqual(["completed", "completed", "completed", "completed"]);
    expect(detail.steps.at(-1)!.name).toBe("after");
    // discovery (planned 3) + 3 targeted calls + discovery running "after" + final discovery.
    expect(detail.attempts.map((a) => a.outcome).filter((o) => o === "steps-found")).toHaveLength(1);
    expect(detail.attempts.filter((a) => a.stepId !== null)).toHaveLength(3);
  });

  it("records each step's span from the call that ran it, so a slow step shows its time", async () => {
    await inngest.send({ name: "test/ponder", data: {} });
    const [run] = await waitForRuns(t.db(), "ponder");
    const detail = (await t.engine().query.getRun(run!.id))!;
    const think = detail.steps.find((s) => s.name === "think")!;
    // The step waited 300 ms inside the app; its recorded span covers that wait (a lower bound, not a speed check).
    expect(think.endedAt!.getTime() - think.createdAt.getTime()).toBeGreaterThanOrEqual(250);
  });

  it("sleeps with step.sleep and resumes after the timer", async () => {
    await inngest.send({ name: "test/sleep", data: {} });
    const [run] = await waitForRuns(t.db(), "sleeper", 1, 20_000);
    expect(run!.status).toBe("completed");
    expect(run!.output).toBe("awake");
    const detail = (await t.engine().query.getRun(run!.id))!;
    const nap = detail.steps.find((s) => s.op === "Sleep")!;
    expect(nap.status).toBe("completed");
    expect(nap.name).toBe("nap");
    const until = Date.parse((nap.opts as { until: string }).until);
    // The wake-up was scheduled a second after the sleep was recorded (the engine's own timestamps).
    expect(until - detail.steps.find((s) => s.name === "before")!.endedAt!.getTime()).toBeGreaterThanOrEqual(900);
    expect(sleptAcross).toBeGreaterThan(0);
  });

  it("fans out with step.sendEvent", async () => {
    await inngest.send({ name: "test/fan-out", data: { n: 5 } });
    const [run] = await waitForRuns(t.db(), "fan-out");
    expect(run!.output).toBe(5);
    const children = await waitForRuns(t.db(), "fan-child", 5);
    expect(children).toHaveLength(5);
    expect(children.map((c) => c.output).sort((a, b) => Number(a) - Number(b))).toEqual([0, 1, 4, 9, 16]);
  });

  it("invokes another function with step.invoke and gets its result or its error", async () => {
    await inngest.send({ name: "test/invoke", data: { value: 21 } });
    const [run] = await waitForRuns(t.db(), "parent");
    expect(run!.status).toBe("completed");
    expect(run!.output).toEqual({ doubled: 42, failure: "child says no" });
    const [childRun] = await runsOf(t.db(), "child");
    expect(childRun!.parentRunId).toBe(run!.id);
    expect((childRun!.event as { name: string }).name).toBe("inngest/function.invoked");
    const [failed] = await runsOf(t.db(), "child-no-retry");
    expect(failed!.status).toBe("failed");
  });

  it("waits for a matching event with step.waitForEvent", async () => {
    await inngest.send({ name: "test/wait", data: { docId: "d1" } });
    await inngest.send({ name: "test/wait", data: { docId: "d2" } });
    await waitFor(
      async () => (await t.db().select().from(inngestSteps).where(eq(inngestSteps.status, "waiting"))).length === 2,
      { what: "both runs waiting" },
    );
    await inngest.send({ name: "test/approved", data: { docId: "d2", by: "ann" } });
    await inngest.send({ name: "test/approved", data: { docId: "d1", by: "bob" } });
    const runs = await waitForRuns(t.db(), "waiter", 2);
    expect(runs.map((r) => r.output)).toEqual(["bob", "ann"]);
  });

  it("times out step.invoke and step.waitForEvent", async () => {
    await inngest.send({ name: "test/impatient", data: {} });
    const [run] = await waitForRuns(t.db(), "impatient");
    expect(run!.output).toEqual({ invoked: "Timed out waiting for invoked function to complete", approval: null });
    const [slow] = await runsOf(t.db(), "slow-child");
    expect(slow!.status).toBe("running");
    await t.engine().cancelRun(slow!.id);
  });
});
