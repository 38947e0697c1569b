import { describe, expect, it } from "vitest";
import { inngest } from "@/lib/inngest/client";
import { EMBEDDED_BASE_URL, FunctionConfigError } from "@/lib/inngest/embedded";
import {
  canonicalBody,
  engineContext,
  inngestEvents,
  inngestFunctions,
  signBody,
  syncApp,
} from "@/lib/inngest/embedded/testing";
import { runsOf, serveFunctions, useEngine, waitForRuns } from "./harness";

const counts = { a: 0, b: 0, c: 0 };
const memo = inngest.createFunction({ id: "memo", triggers: [{ event: "test/memo" }] }, async ({ event, step }) => {
  const a = await step.run("a", () => {
    counts.a++;
    return (event.data as { x: number }).x * 2;
  });
  const b = await step.run("b", () => {
    counts.b++;
    return a + 1;
  });
  const c = await step.run("c", () => {
    counts.c++;
    return b + 1;
  });
  return { a, b, c };
});

const seen: string[] = [];
const wildcard = inngest.createFunction({ id: "wildcard", triggers: [{ event: "ai/*" }] }, async ({ event }) => {
  seen.push(String(event.name));
  return event.name;
});

const filtered = inngest.createFunction(
  { id: "filtered", triggers: [{ event: "test/filtered", if: "event.data.size > 10 && event.data.kind == 'big'" }] },
  async ({ event }) => event.data,
);

const once = inngest.createFunction({ id: "once", triggers: [{ event: "test/once" }] }, async () => "ran");

const unsupported = inngest.createFunction(
  { id: "unsupported-op", triggers: [{ event: "test/unsupported-op" }] },
  async ({ step }) => {
    await step.waitForSignal("signal", { signal: "go", timeout: "1m", onConflict: "replace" });
  },
);

const t = useEngine(() => [memo, wildcard, filtered, once, unsupported]);

describe("embedded engine: sync and intake", () => {
  it("registers the served functions (in-band sync) with their triggers", async () => {
    const rows = await t.db().select().from(inngestFunctions);
    const ids = rows.map((r) => r.id).sort();
    expect(ids).toEqual(
      [
        "story-sprout-filtered",
        "story-sprout-memo",
        "story-sprout-once",
        "story-sprout-unsupported-op",
        "story-sprout-wildcard",
      ].sort(),
    );
    const memoRow = rows.find((r) => r.id === "story-sprout-memo")!;
    expect(memoRow.retries).toBe(3);
    expect(memoRow.active).toBe(true);
  });

  it("runs every step once and memoizes results (counted executions)", async () => {
    const { ids } = await inngest.send({ name: "test/memo", data: { x: 5 } });
    expect(ids).toHaveLength(1);
    const [run] = await waitForRuns(t.db(), "memo");
    expect(run!.status).toBe("completed");
    expect(run!.output).toEqual({ a: 10, b: 11, c: 12 });
    expect(run!.eventId).toBe(ids[0]);
    expect(counts).toEqual({ a: 1, b: 1, c: 1 });

    const detail = (await t.engine().query.getRun(run!.id))!;
    expect(detail.steps.map((s) => [s.name, s.status, s.seq, s.data])).toEqual([
      ["a", "completed", 1, 10],
      ["b", "completed", 2, 11],
      ["c", "completed", 3, 12],
    ]);
    // One discovery call ran each new step at once; a last call returned the result.
    expect(detail.attempts.map((a) => a.outcome)).toEqual(["step-ran", "step-ran", "step-ran", "completed"]);
    expect(detail.run.startedAt).toBeInstanceOf(Date);
    expect(detail.run.endedAt!.getTime()).toBeGreaterThanOrEqual(detail.run.startedAt!.getTime());
  });

  it("matches wildcard triggers such as ai/* and trigger expressions", async () => {
    await inngest.send([
      { name: "ai/generate.requested", data: {} },
      { name: "ai/summary.requested", data: {} },
      { name: "other/thing", data: {} },
      { name: "test/filtered", data: { size: 20, kind: "big" } },
      { name: "test/filtered", data: { size: 5, kind: "big" } },
      { name: "test/filtered", data: { size: 50, kind: "small" } },
    ]);
    // The engine creates runs in the transaction that stores their event, so once send() has returned, the runs
    // waited for here are every run these events started: when they have ended, no other can still come.
    const wildcardRuns = await waitForRuns(t.db(), "wildcard", 2);
    expect(wildcardRuns.map((r) => (r.event as { name: string }).name).sort()).toEqual([
      "ai/generate.requested",
      "ai/summary.requested",
    ]);
    await waitForRuns(t.db(), "filtered", 1);
    expect(seen.sort()).toEqual(["ai/generate.requested", "ai/summary.requested"]);
    const filteredRuns = await runsOf(t.db(), "filtered");
    expect(filteredRuns.map((r) => r.output)).toEqual([{ size: 20, kind: "big" }]);
  });

  it("starts no second run for the same event id within 24 h", async () => {
    const first = await inngest.send({ name: "test/once", id: "order-42", data: {} });
    const second = await inngest.send({ name: "test/once", id: "order-42", data: { again: true } });
    const third = await inngest.send({ name: "test/once", id: "order-43", data: {} });
    expect(second.ids).toEqual(first.ids);
    expect(third.ids[0]).not.toEqual(first.ids[0]);
    // The duplicate is dropped in the transaction that stores the events (where runs are created too), so the
    // ended runs are all there will be: one per distinct event id.
    const onceRuns = await waitForRuns(t.db(), "once", 2);
    expect(onceRuns.map((r) => r.eventId).sort()).toEqual([first.ids[0], third.ids[0]].sort());
  });

  it("recognises a retried send (same id seed) and stores its events once", async () => {
    const key = t.engine().keys!.eventKey;
    const post = () =>
      t.engine().fetch(`${EMBEDDED_BASE_URL}e/${key}`, {
        method: "POST",
        headers: { "x-inngest-event-id-seed": `${Date.now()},${Buffer.alloc(10, 7).toString("base64")}` },
        body: JSON.stringify([{ name: "test/seeded", data: { n: 1 } }]),
      });
    const seedHeader = `${Date.now()},${Buffer.alloc(10, 9).toString("base64")}`;
    const send = () =>
      t.engine().fetch(`${EMBEDDED_BASE_URL}e/${key}`, {
        method: "POST",
        headers: { "x-inngest-event-id-seed": seedHeader },
        body: JSON.stringify([
          { name: "test/seeded", data: { n: 1 } },
          { name: "test/seeded", data: { n: 2 } },
        ]),
      });
    const a = (await (await send()).json()) as { ids: string[]; status: number };
    const b = (await (await send()).json()) as { ids: string[]; status: number };
    expect(a.status).toBe(200);
    expect(b.ids).toEqual(a.ids);
    expect(new Set(a.ids).size).toBe(2);
    expect((await (await post()).json()) as { status: number }).toMatchObject({ status: 200 });
    const stored = (await t.db().select().from(inngestEvents)).filter((e) => e.name === "test/seeded");
    expect(stored).toHaveLength(3);
  });

  it("requires the engine's event key and rejects reserved or malformed events", async () => {
    const bad = await t.engine().fetch(`${EMBEDDED_BASE_URL}e/not-the-key`, { method: "POST", body: "[]" });
    expect(bad.status).toBe(401);
    const key = t.engine().keys!.eventKey;
    const reserved = await t.engine().fetch(`${EMBEDDED_BASE_URL}e/${key}`, {
      method: "POST",
      body: JSON.stringify([{ name: "inngest/function.failed", data: {} }]),
    });
    expect(reserved.status).toBe(400);
    const nameless = await t.engine().fetch(`${EMBEDDED_BASE_URL}e/${key}`, {
      method: "POST",
      body: JSON.stringify([{ data: {} }]),
    });
    expect(nameless.status).toBe(400);
    await expect(inngest.send({ name: "", data: {} })).rejects.toThrow();
  });

  it("fails a run loudly when a function uses a step the engine does not implement", async () => {
    await inngest.send({ name: "test/unsupported-op", data: {} });
    const [run] = await waitForRuns(t.db(), "unsupported-op");
    expect(run!.status).toBe("failed");
    expect((run!.error as { message: string }).message).toMatch(/WaitForSignal.*not supported/);
  });

  it("lists runs through the query API", async () => {
    const runs = await t.engine().query.listRuns({ functionId: "story-sprout-memo" });
    expect(runs).toHaveLength(1);
    const page = await t.engine().query.listRuns({ limit: 2 });
    expect(page).toHaveLength(2);
    const next = await t.engine().query.listRuns({ limit: 2, before: page[1]!.id });
    expect(next[0]!.id < page[1]!.id).toBe(true);
  });
});

describe("embedded engine: the serve endpoint accepts only the engine", () => {
  const target = () => `${t.url()}?fnId=story-sprout-memo&stepId=step`;
  // The SDK verifies the signature over the canonical (RFC 8785) JSON of the body, which the engine sends as is.
  const body = canonicalBody({
    event: { name: "test/memo", data: { x: 1 }, id: "x", ts: 1 },
    events: [],
    steps: {},
    ctx: {
      run_id: "forged",
      attempt: 0,
      max_attempts: 1,
      disable_immediate_execution: false,
      use_api: false,
      stack: { stack: [], current: 0 },
    },
    version: 2,
  });

  it("rejects unsigned and wrongly signed calls with 401", async () => {
    const before = counts.a;
    const unsigned = await fetch(target(), { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(unsigned.status).toBe(401);
    const forged = await fetch(target(), {
      method: "POST",
      headers: { "content-type": "application/json", "x-inngest-signature": signBody(body, "signkey-prod-00ff") },
      body,
    });
    expect(forged.status).toBe(401);
    expect(counts.a).toBe(before);
  });

  it("rejects unsigned sync (PUT) and introspection (GET)", async () => {
    expect((await fetch(t.url(), { method: "PUT" })).status).toBe(401);
    expect((await fetch(t.url(), { method: "GET" })).status).toBe(401);
  });

  it("accepts a call signed with the engine's key", async () => {
    const signed = await fetch(target(), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-inngest-signature": signBody(body, t.engine().keys!.signingKey),
      },
      body,
    });
    expect(signed.status).toBe(206);
  });
});

describe("embedded engine: registration fails loudly on what it cannot run", () => {
  it("rejects rate limits, throttles, batching, priority, cron jitter, other scopes and unknown expressions", async () => {
    const noop = async () => null;
    const bad = [
      inngest.createFunction({ id: "rate", rateLimit: { limit: 1, period: "1m" }, triggers: [{ event: "x/a" }] }, noop),
      inngest.createFunction(
        { id: "throttle", throttle: { limit: 1, period: "1m" }, triggers: [{ event: "x/a" }] },
        noop,
      ),
      inngest.createFunction(
        { id: "batch", batchEvents: { maxSize: 5, timeout: "1s" }, triggers: [{ event: "x/a" }] },
        noop,
      ),
      inngest.createFunction({ id: "idem", idempotency: "size(event.data.ids)", triggers: [{ event: "x/a" }] }, noop),
      inngest.createFunction({ id: "prio", priority: { run: "1" }, triggers: [{ event: "x/a" }] }, noop),
      inngest.createFunction({ id: "jitter", triggers: [{ cron: "* * * * *", jitter: "10s" }] }, noop),
      inngest.createFunction(
        { id: "scope", concurrency: { limit: 1, scope: "account", key: "x" }, triggers: [{ event: "x/a" }] },
        noop,
      ),
      inngest.createFunction({ id: "expr", triggers: [{ event: "x/a", if: "size(event.data.items) > 1" }] }, noop),
      inngest.createFunction({ id: "cron", triggers: [{ cron: "not a cron" }] }, noop),
    ];
    const served = await serveFunctions(bad);
    try {
      const error = await syncApp(engineContext(t.db()), served.url, t.engine().keys!.signingKey).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(FunctionConfigError);
      const message = (error as Error).message;
      for (const what of [
        "rateLimit",
        "throttle",
        "batchEvents",
        'function "story-sprout-idem": idempotency',
        "priority",
        "jitter",
        "scope",
        "function calls",
        "Invalid cron",
      ]) {
        expect(message).toContain(what);
      }
      // Nothing from the rejected sync was stored.
      const rows = await t.db().select().from(inngestFunctions);
      expect(rows.some((r) => r.id === "story-sprout-rate")).toBe(false);
    } finally {
      await served.close();
    }
  });
});
