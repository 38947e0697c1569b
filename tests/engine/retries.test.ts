import { and, eq } from "drizzle-orm";
import { NonRetriableError, RetryAfterError } from "inngest";
import { describe, expect, it } from "vitest";
import { inngestQueue } from "@/lib/inngest/embedded/testing";
import { inngest } from "@/lib/inngest/client";
import { runsOf, useEngine, waitFor, waitForRuns } from "./harness";

let flakyCalls = 0;
const flaky = inngest.createFunction(
  { id: "flaky", retries: 3, triggers: [{ event: "test/flaky" }] },
  async ({ step }) => {
    const value = await step.run("sometimes", () => {
      flakyCalls++;
      if (flakyCalls < 3) throw new Error(`flaky failure ${flakyCalls}`);
      return "ok";
    });
    return value;
  },
);

let doomedCalls = 0;
const failures: { message: string; originalEvent: string; functionId: string }[] = [];
const doomed = inngest.createFunction(
  {
    id: "doomed",
    retries: 2,
    triggers: [{ event: "test/doomed" }],
    onFailure: async ({ error, event }) => {
      const data = event.data as { function_id: string; event: { name: string } };
      failures.push({ message: error.message, originalEvent: data.event.name, functionId: data.function_id });
    },
  },
  async ({ step }) => {
    await step.run("always-fails", () => {
      doomedCalls++;
      throw new Error("permanent trouble");
    });
  },
);

let fatalCalls = 0;
const fatal = inngest.createFunction(
  { id: "fatal", retries: 5, triggers: [{ event: "test/fatal" }] },
  async ({ step }) => {
    await step.run("no-retry", () => {
      fatalCalls++;
      throw new NonRetriableError("do not try again");
    });
  },
);

let handledCalls = 0;
const handled = inngest.createFunction(
  { id: "handled", retries: 1, triggers: [{ event: "test/handled" }] },
  async ({ step }) => {
    try {
      await step.run("fails", () => {
        handledCalls++;
        throw new Error("step broke");
      });
    } catch (error) {
      return step.run("fallback", () => `recovered from: ${(error as Error).message}`);
    }
    return "unreachable";
  },
);

let topLevelCalls = 0;
const topLevel = inngest.createFunction(
  { id: "top-level", retries: 2, triggers: [{ event: "test/top-level" }] },
  async ({ step }) => {
    const a = await step.run("a", () => "a");
    topLevelCalls++;
    if (topLevelCalls < 3) throw new Error("function body failed");
    return a;
  },
);

let politeCalls = 0;
const polite = inngest.createFunction(
  { id: "polite", retries: 2, triggers: [{ event: "test/polite" }] },
  async ({ step }) =>
    step.run("rate-limited", () => {
      politeCalls++;
      if (politeCalls === 1) throw new RetryAfterError("provider busy", "2s");
      return "done";
    }),
);

const t = useEngine(() => [flaky, doomed, fatal, handled, topLevel, polite]);

describe("embedded engine: retries and failure", () => {
  it("retries a failing step with backoff until it succeeds", async () => {
    await inngest.send({ name: "test/flaky", data: {} });
    const [run] = await waitForRuns(t.db(), "flaky");
    expect(run!.status).toBe("completed");
    expect(run!.output).toBe("ok");
    expect(flakyCalls).toBe(3);
    const detail = (await t.engine().query.getRun(run!.id))!;
    const step = detail.steps.find((s) => s.name === "sometimes")!;
    expect(step.status).toBe("completed");
    expect(step.attempts).toBe(2);
    expect(detail.attempts.map((a) => [a.outcome, a.attempt])).toEqual([
      ["step-error", 0],
      ["step-error", 1],
      ["step-ran", 2],
      ["completed", 0],
    ]);
    expect(t.logs.filter((l) => l.msg === "inngest step error, retrying")).toHaveLength(2);
    // The metrics' retry counter: the two calls made again after a failed attempt.
    expect(await t.engine().query.retriesByFunction()).toContainEqual({ functionId: run!.functionId, retries: 2 });
  });

  it("fails permanently after `retries`, memoizes StepFailed and runs onFailure", async () => {
    await inngest.send({ name: "test/doomed", data: { id: 1 } });
    const [run] = await waitForRuns(t.db(), "doomed");
    expect(run!.status).toBe("failed");
    expect(doomedCalls).toBe(3);
    expect((run!.error as { message: string }).message).toContain("permanent trouble");
    const detail = (await t.engine().query.getRun(run!.id))!;
    expect(detail.steps[0]).toMatchObject({ status: "failed", attempts: 3 });
    await waitForRuns(t.db(), "doomed-failure");
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ originalEvent: "test/doomed", functionId: "story-sprout-doomed" });
    expect(failures[0]!.message).toContain("permanent trouble");
    expect(t.logs.some((l) => l.msg === "inngest run failed" && l.fields.runId === run!.id)).toBe(true);
  });

  it("finds a failed run and its onFailure run by the event's data (query API runsForEvent)", async () => {
    const [failed] = await waitForRuns(t.db(), "doomed");
    const [handler] = await waitForRuns(t.db(), "doomed-failure");
    const found = await t.engine().query.runsForEvent({ data: { id: 1 }, from: new Date(Date.now() - 60_000) });
    expect(found.map((r) => r.run.id)).toEqual([failed!.id, handler!.id]);
    expect(found[0]!.steps.map((step) => step.status)).toEqual(["failed"]);
    expect(found[0]!.attempts.length).toBeGreaterThanOrEqual(3);
    expect(await t.engine().query.runsForEvent({ data: { id: 2 } })).toEqual([]);
    expect(await t.engine().query.runsForEvent({ data: { id: 1 }, to: new Date(Date.now() - 60_000) })).toEqual([]);
  });

  it("does not retry a NonRetriableError", async () => {
    await inngest.send({ name: "test/fatal", data: {} });
    const [run] = await waitForRuns(t.db(), "fatal");
    expect(run!.status).toBe("failed");
    expect(fatalCalls).toBe(1);
    expect((run!.error as { message: string }).message).toContain("do not try again");
  });

  it("memoizes StepFailed as an error the function can catch", async () => {
    await inngest.send({ name: "test/handled", data: {} });
    const [run] = await waitForRuns(t.db(), "handled");
    expect(run!.status).toBe("completed");
    expect(run!.output).toBe("recovered from: step broke");
    expect(handledCalls).toBe(2);
    const detail = (await t.engine().query.getRun(run!.id))!;
    expect(detail.steps.map((s) => [s.name, s.status])).toEqual([
      ["fails", "failed"],
      ["fallback", "completed"],
    ]);
    expect((detail.steps[0]!.error as { message: string }).message).toBe("step broke");
  });

  it("retries an error thrown outside steps without re-running completed steps", async () => {
    await inngest.send({ name: "test/top-level", data: {} });
    const [run] = await waitForRuns(t.db(), "top-level");
    expect(run!.status).toBe("completed");
    expect(topLevelCalls).toBe(3);
    const detail = (await t.engine().query.getRun(run!.id))!;
    expect(detail.attempts.map((a) => [a.outcome, a.attempt])).toEqual([
      ["step-ran", 0],
      ["error", 0],
      ["error", 1],
      ["completed", 2],
    ]);
  });

  it("honours Retry-After from RetryAfterError", async () => {
    await inngest.send({ name: "test/polite", data: {} });
    const [first] = await waitFor(async () => {
      const runs = await runsOf(t.db(), "polite");
      const detail = runs[0] && (await t.engine().query.getRun(runs[0].id));
      return detail && detail.attempts.length > 0 ? [detail] : null;
    });
    const errored = first!.attempts[0]!;
    expect(errored.outcome).toBe("step-error");
    const [retry] = await t
      .db()
      .select()
      .from(inngestQueue)
      .where(and(eq(inngestQueue.runId, first!.run.id), eq(inngestQueue.attempt, 1)));
    // The engine scheduled the retry two seconds out (its own timestamps), not at the short test backoff.
    expect(retry!.availableAt.getTime() - errored.endedAt.getTime()).toBeGreaterThanOrEqual(1900);
    const [run] = await waitForRuns(t.db(), "polite");
    expect(run!.output).toBe("done");
    expect(politeCalls).toBe(2);
  });
});
