import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AiJob } from "@/db/ai-schema";
import type { JobUpdate } from "@/lib/ai/jobs/live";
import { createScopeHub, type LiveJobEvent } from "@/lib/ai/jobs/scope-hub";
import { createStreamSlots, streamSlotLimits } from "@/lib/http/stream-slots";

/**
 * Issue 12, Security 5: one database read per story per tick, shared by every listener, and no read at all once the
 * last listener has left; caps on open streams. No database here: the hub reads through an injected reader.
 */

function job(id: string, fields: Partial<AiJob> = {}): AiJob {
  return {
    id,
    jobType: "page_text.write",
    status: "running",
    targetType: "page",
    targetId: `page-${id}`,
    scopeType: "story",
    scopeId: "s1",
    parentJobId: null,
    partialText: "",
    updatedAt: new Date(0),
    landedAt: null,
    ...fields,
  } as AiJob;
}

interface View {
  id: string;
  status: string;
  partialText: string | null;
}

function makeHub(rows: () => AiJob[]) {
  const read = vi.fn(async (_scopeId: string) => rows());
  const pushListeners = new Map<string, (update: JobUpdate) => void>();
  const views = vi.fn((row: AiJob): View => ({ id: row.id, status: row.status, partialText: row.partialText }));
  const hub = createScopeHub<View>({
    read,
    intervalMs: 1000,
    views: {
      view: views,
      key: (row) => `${row.status}|${row.partialText}`,
      push: (view, update) =>
        update.partialText === undefined ? null : { ...view, partialText: update.partialText, status: "running" },
    },
    subscribeUpdates: (jobId, listener) => {
      pushListeners.set(jobId, listener);
      return () => pushListeners.delete(jobId);
    },
  });
  return { hub, read, views, pushListeners };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("the scope hub", () => {
  it("reads a story once per tick however many listeners it has, and sends each change to all of them", async () => {
    let rows = [job("j1", { partialText: "Once" })];
    const { hub, read } = makeHub(() => rows);
    const received: LiveJobEvent<View>[][] = [];
    const offs = Array.from({ length: 150 }, (_, i) => {
      received[i] = [];
      return hub.subscribe("s1", (event) => received[i]!.push(event));
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(read).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(3000);
    expect(read).toHaveBeenCalledTimes(4);
    expect(read.mock.calls.every(([scope]) => scope === "s1")).toBe(true);

    rows = [job("j1", { partialText: "Once upon" })];
    await vi.advanceTimersByTimeAsync(1000);
    expect(read).toHaveBeenCalledTimes(5);
    for (const events of received) {
      // The unchanged ticks sent nothing; the change went to everyone.
      expect(events.map((e) => e.view.partialText)).toEqual(["Once", "Once upon"]);
    }
    expect(hub.stats()).toEqual({ scopes: 1, listeners: 150 });
    for (const off of offs) off();
  });

  it("rebuilds a view only when its key changes", async () => {
    const { hub, views } = makeHub(() => [job("j1")]);
    const off = hub.subscribe("s1", () => {});
    await vi.advanceTimersByTimeAsync(5000);
    expect(views).toHaveBeenCalledTimes(1);
    off();
  });

  it("stops reading when the last listener leaves, and starts again for the next one", async () => {
    const { hub, read } = makeHub(() => [job("j1")]);
    const a = hub.subscribe("s1", () => {});
    const b = hub.subscribe("s1", () => {});
    await vi.advanceTimersByTimeAsync(2000);
    expect(read).toHaveBeenCalledTimes(3);
    a();
    await vi.advanceTimersByTimeAsync(1000);
    expect(read).toHaveBeenCalledTimes(4);
    b();
    b(); // twice is harmless
    await vi.advanceTimersByTimeAsync(10_000);
    expect(read).toHaveBeenCalledTimes(4);
    expect(hub.stats()).toEqual({ scopes: 0, listeners: 0 });
    expect(vi.getTimerCount()).toBe(0);

    const c = hub.subscribe("s1", () => {});
    await vi.advanceTimersByTimeAsync(0);
    expect(read).toHaveBeenCalledTimes(5);
    c();
  });

  it("polls each story on its own", async () => {
    const { hub, read } = makeHub(() => [job("j1")]);
    const offs = [hub.subscribe("s1", () => {}), hub.subscribe("s2", () => {}), hub.subscribe("s1", () => {})];
    await vi.advanceTimersByTimeAsync(1000);
    expect(read.mock.calls.map(([scope]) => scope).sort()).toEqual(["s1", "s1", "s2", "s2"]);
    for (const off of offs) off();
  });

  it("gives a listener that joins the current state at once, without another read", async () => {
    const { hub, read } = makeHub(() => [job("j1", { partialText: "Hello" })]);
    const first = hub.subscribe("s1", () => {});
    await vi.advanceTimersByTimeAsync(0);
    const late: View[] = [];
    const second = hub.subscribe("s1", (event) => late.push(event.view));
    expect(late).toEqual([{ id: "j1", status: "running", partialText: "Hello" }]);
    expect(read).toHaveBeenCalledTimes(1);
    first();
    second();
  });

  it("forwards in-process partial text at once, and reads at once on a status push", async () => {
    let rows = [job("j1", { partialText: "" })];
    const { hub, read, pushListeners } = makeHub(() => rows);
    const events: View[] = [];
    const off = hub.subscribe("s1", (event) => events.push(event.view));
    await vi.advanceTimersByTimeAsync(0);
    expect(pushListeners.has("j1")).toBe(true);

    pushListeners.get("j1")!({ jobId: "j1", partialText: "The fox" });
    expect(events.at(-1)).toEqual({ id: "j1", status: "running", partialText: "The fox" });
    expect(read).toHaveBeenCalledTimes(1);

    rows = [job("j1", { status: "succeeded", partialText: "The fox ran." })];
    pushListeners.get("j1")!({ jobId: "j1", status: "succeeded" });
    await vi.advanceTimersByTimeAsync(0);
    expect(read).toHaveBeenCalledTimes(2);
    expect(events.at(-1)).toEqual({ id: "j1", status: "succeeded", partialText: "The fox ran." });
    // A settled job is no longer listened to on the bus.
    expect(pushListeners.has("j1")).toBe(false);
    off();
  });

  it("keeps its listeners when a read fails, and tries again at the next tick", async () => {
    let fail = true;
    const read = vi.fn(async () => {
      if (fail) throw new Error("down");
      return [job("j1")];
    });
    const onError = vi.fn();
    const hub = createScopeHub<AiJob>({ read, views: { view: (row) => row }, onError, intervalMs: 1000 });
    const events: string[] = [];
    const off = hub.subscribe("s1", (event) => events.push(event.jobId));
    await vi.advanceTimersByTimeAsync(0);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: "down" }), "s1");
    fail = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(events).toEqual(["j1"]);
    off();
  });
});

describe("stream slots", () => {
  it("refuses beyond the per-user cap and the per-process cap, and a release frees exactly one slot", () => {
    const slots = createStreamSlots(() => ({ perUser: 2, perProcess: 3 }));
    const a1 = slots.acquire("a");
    const a2 = slots.acquire("a");
    expect(slots.acquire("a")).toEqual({ ok: false, refused: "user" });
    const b1 = slots.acquire("b");
    expect(slots.acquire("c")).toEqual({ ok: false, refused: "process" });
    expect([a1.ok, a2.ok, b1.ok]).toEqual([true, true, true]);
    if (!a1.ok) throw new Error("unreachable");
    a1.release();
    a1.release(); // a second release does not free a slot it does not hold
    expect(slots.counts().total).toBe(2);
    expect(slots.acquire("a").ok).toBe(true);
    expect(slots.acquire("c")).toEqual({ ok: false, refused: "process" });
  });

  it("reads STREAMS_PER_USER and STREAMS_PER_PROCESS, defaulting to 20 and 500", () => {
    expect(streamSlotLimits({})).toEqual({ perUser: 20, perProcess: 500 });
    expect(streamSlotLimits({ STREAMS_PER_USER: "3", STREAMS_PER_PROCESS: "40" })).toEqual({
      perUser: 3,
      perProcess: 40,
    });
    expect(streamSlotLimits({ STREAMS_PER_USER: "0", STREAMS_PER_PROCESS: "many" })).toEqual({
      perUser: 20,
      perProcess: 500,
    });
  });
});
