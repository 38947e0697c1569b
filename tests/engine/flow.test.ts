import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { inngestDebounces, inngestSteps } from "@/lib/inngest/embedded/testing";
import { inngest } from "@/lib/inngest/client";
import { runsOf, sleep, useEngine, waitFor, waitForRun, waitForRuns } from "./harness";

/** Tracks how many step bodies run at once, overall and per key. */
function gauge() {
  const current = new Map<string, number>();
  const max = new Map<string, number>();
  return {
    max,
    async hold(key: string, ms: number) {
      const now = (current.get(key) ?? 0) + 1;
      current.set(key, now);
      max.set(key, Math.max(max.get(key) ?? 0, now));
      await sleep(ms);
      current.set(key, (current.get(key) ?? 1) - 1);
    },
  };
}

const fnGauge = gauge();
const limited = inngest.createFunction(
  { id: "limited", concurrency: 2, triggers: [{ event: "test/limited" }] },
  async ({ step }) => {
    await step.run("work-1", () => fnGauge.hold("all", 60));
    await step.run("work-2", () => fnGauge.hold("all", 30));
  },
);

const keyGauge = gauge();
const keyed = inngest.createFunction(
  { id: "keyed", concurrency: { limit: 1, key: "event.data.pageId" }, triggers: [{ event: "test/keyed" }] },
  async ({ event, step }) => {
    const pageId = (event.data as { pageId: string }).pageId;
    await Promise.all([step.run("a", () => keyGauge.hold(pageId, 40)), step.run("b", () => keyGauge.hold(pageId, 40))]);
    await step.run("c", () => keyGauge.hold(pageId, 20));
    return pageId;
  },
);

// Two limits at once, as lib/ai's run-ai-job uses them: one run per target, at most two runs overall.
const twoGauge = gauge();
const twoLimits = inngest.createFunction(
  {
    id: "two-limits",
    concurrency: [{ key: "event.data.target", limit: 1 }, { limit: 2 }],
    triggers: [{ event: "test/two-limits" }],
  },
  async ({ event, step }) => {
    const target = (event.data as { target: string }).target;
    await step.run("work", async () => {
      await Promise.all([twoGauge.hold(target, 40), twoGauge.hold("all", 40)]);
    });
  },
);

let afterSleep = 0;
const cancellable = inngest.createFunction(
  {
    id: "cancellable",
    triggers: [{ event: "test/long" }],
    cancelOn: [{ event: "test/stop", if: "event.data.jobId == async.data.jobId" }],
  },
  async ({ step }) => {
    await step.run("start", () => "started");
    await step.sleep("long-wait", "1h");
    await step.run("after", () => {
      afterSleep++;
    });
  },
);

const debounceRuns: unknown[] = [];
const debounced = inngest.createFunction(
  { id: "debounced", debounce: { key: "event.data.k", period: "1s" }, triggers: [{ event: "test/debounce" }] },
  async ({ event }) => {
    debounceRuns.push(event.data);
    return event.data;
  },
);

const ticks: string[] = [];
const cron = inngest.createFunction({ id: "every-second", triggers: [{ cron: "* * * * * *" }] }, async ({ event }) => {
  ticks.push(event.name);
  return event.data;
});

const t = useEngine(() => [limited, keyed, twoLimits, cancellable, debounced, cron]);

describe("embedded engine: flow control", () => {
  it("never runs more steps of a function at once than its concurrency limit", async () => {
    await inngest.send(Array.from({ length: 8 }, (_, i) => ({ name: "test/limited", data: { i } })));
    const runs = await waitForRuns(t.db(), "limited", 8);
    expect(runs.every((r) => r.status === "completed")).toBe(true);
    expect(fnGauge.max.get("all")).toBeLessThanOrEqual(2);
    expect(fnGauge.max.get("all")).toBeGreaterThanOrEqual(1);
  });

  it("limits concurrency per key (event.data.pageId), including parallel steps", async () => {
    await inngest.send(
      ["p1", "p2", "p1", "p2", "p1", "p3"].map((pageId) => ({ name: "test/keyed", data: { pageId } })),
    );
    const runs = await waitForRuns(t.db(), "keyed", 6);
    expect(runs.every((r) => r.status === "completed")).toBe(true);
    for (const page of ["p1", "p2", "p3"]) expect(keyGauge.max.get(page)).toBe(1);
  });

  it("applies a keyed and a function-wide limit together", async () => {
    await inngest.send(
      ["a", "b", "c", "a", "b", "c", "a"].map((target) => ({ name: "test/two-limits", data: { target } })),
    );
    const runs = await waitForRuns(t.db(), "two-limits", 7);
    expect(runs.every((r) => r.status === "completed")).toBe(true);
    expect(twoGauge.max.get("all")).toBeLessThanOrEqual(2);
    for (const target of ["a", "b", "c"]) expect(twoGauge.max.get(target)).toBe(1);
  });

  it("cancels runs with cancelOn when the expression matches", async () => {
    await inngest.send([
      { name: "test/long", data: { jobId: "j1" } },
      { name: "test/long", data: { jobId: "j2" } },
    ]);
    await waitFor(
      async () => (await t.db().select().from(inngestSteps).where(eq(inngestSteps.status, "sleeping"))).length === 2,
      { what: "both runs sleeping" },
    );
    await inngest.send({ name: "test/stop", data: { jobId: "j1" } });
    const runs = (await runsOf(t.db(), "cancellable")).sort((a, b) => a.id.localeCompare(b.id));
    const byJob = (job: string) => runs.find((r) => (r.event as { data: { jobId: string } }).data.jobId === job)!;
    const cancelled = await waitForRun(t.db(), byJob("j1").id);
    expect(cancelled.status).toBe("cancelled");
    expect((cancelled.error as { message: string }).message).toContain("test/stop");
    const detail = (await t.engine().query.getRun(cancelled.id))!;
    expect(detail.steps.find((s) => s.name === "long-wait")!.status).toBe("cancelled");

    // The other run is untouched until it is cancelled through the API.
    const [other] = await runsOf(t.db(), "cancellable").then((rs) => rs.filter((r) => r.id === byJob("j2").id));
    expect(other!.status).toBe("running");
    expect(await t.engine().cancelRun(other!.id, "no longer needed")).toBe(true);
    expect(await t.engine().cancelRun(other!.id)).toBe(false);
    const ended = await waitForRun(t.db(), other!.id);
    expect(ended.status).toBe("cancelled");
    expect((ended.error as { message: string }).message).toBe("no longer needed");
    expect(afterSleep).toBe(0);
  });

  it("debounces by key: one run per key with the last event", async () => {
    await inngest.send({ name: "test/debounce", data: { k: "a", n: 1 } });
    await inngest.send({ name: "test/debounce", data: { k: "b", n: 1 } });
    await inngest.send({ name: "test/debounce", data: { k: "a", n: 2 } });
    await inngest.send({ name: "test/debounce", data: { k: "a", n: 3 } });
    // A debounce fires by being deleted in the transaction that creates its run: once none is pending for the
    // function, no further run can start.
    await waitFor(
      async () =>
        (await t.db().select().from(inngestDebounces).where(eq(inngestDebounces.functionId, "story-sprout-debounced")))
          .length === 0,
      { what: "no pending debounce" },
    );
    const runs = await waitForRuns(t.db(), "debounced", 2);
    expect(runs).toHaveLength(2);
    expect(debounceRuns).toHaveLength(2);
    expect(runs.map((r) => r.output).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)))).toEqual([
      { k: "a", n: 3 },
      { k: "b", n: 1 },
    ]);
  });

  it("fires cron triggers with inngest/scheduled.timer events", async () => {
    const runs = await waitForRuns(t.db(), "every-second", 2, 10_000);
    expect(runs.slice(0, 2).every((r) => r.status === "completed")).toBe(true);
    expect(ticks.slice(0, 2)).toEqual(["inngest/scheduled.timer", "inngest/scheduled.timer"]);
    const ticksAt = runs.map((r) => (r.event as { ts: number }).ts);
    expect(new Set(ticksAt).size).toBe(ticksAt.length);
  });
});
