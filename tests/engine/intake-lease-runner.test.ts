import { AsyncLocalStorage } from "node:async_hooks";
import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { inngest } from "@/lib/inngest/client";
import { inngestQueue, inngestRuns } from "@/lib/inngest/embedded/testing";
import { useEngine, waitFor, waitForRun } from "./harness";

// Every run the workers claim, to tell a run handed over by the intake from one that waited for a claim.
const claimedRuns = vi.hoisted(() => new Set<string>());
vi.mock("@/lib/inngest/embedded/queue", async (importOriginal) => {
  const queue = await importOriginal<typeof import("@/lib/inngest/embedded/queue")>();
  return {
    ...queue,
    claimItems: async (...args: Parameters<typeof queue.claimItems>) => {
      const claimed = await queue.claimItems(...args);
      for (const item of claimed) claimedRuns.add(item.runId);
      return claimed;
    },
  };
});

// The runner sets a worker aside for an event received in this process (intake-one.ts leases the run's first call to
// it): a worker that is busy is never set aside, so the engine never runs more calls at once than it has workers.
let inFlight = 0;
let most = 0;
const gates: (() => void)[] = [];
const gated = inngest.createFunction(
  { id: "lease-runner", triggers: [{ event: "lease-runner/go" }] },
  async ({ event, step }) =>
    step.run("work", async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise<void>((resolve) => gates.push(resolve));
      inFlight--;
      return event.data.n as number;
    }),
);

// Stands for Next's request stores: the call a request's event starts must not run inside that request.
const requestStore = new AsyncLocalStorage<string>();
const storesSeen: (string | undefined)[] = [];
const contextual = inngest.createFunction(
  { id: "lease-runner-context", triggers: [{ event: "lease-runner/context" }] },
  async ({ step }) =>
    step.run("look", async () => {
      storesSeen.push(requestStore.getStore());
      return "looked";
    }),
);

// Claims only when woken, not every 50 ms: a worker a claim in flight may fill is not set aside (runner.ts), so each
// send below first waits for the claim loop to be idle.
const t = useEngine(() => [gated, contextual], { workers: 1, pollIntervalMs: 60_000 });
const claimLoopIdle = () => waitFor(async () => !t.engine().status.claiming, { what: "no claim in flight" });

const runOf = async (eventId: string) =>
  (await t.db().select().from(inngestRuns).where(eq(inngestRuns.eventId, eventId)))[0]!;

describe("embedded engine: workers set aside for the intake", () => {
  it("starts an event's run on the free worker, and queues the next while that worker is busy", async () => {
    await claimLoopIdle();
    const { ids: first } = await inngest.send({ name: "lease-runner/go", data: { n: 1 } });
    await waitFor(async () => gates.length === 1, { what: "the first run's step started" });

    const firstRun = await runOf(first[0]!);
    expect(firstRun.status).toBe("running");
    expect(claimedRuns.has(firstRun.id)).toBe(false);

    const { ids: second } = await inngest.send({ name: "lease-runner/go", data: { n: 2 } });
    const waiting = await runOf(second[0]!);
    expect(waiting.status).toBe("queued");
    const [call] = await t.db().select().from(inngestQueue).where(eq(inngestQueue.runId, waiting.id));
    expect(call?.leaseOwner).toBeNull();

    gates.shift()!();
    await waitFor(async () => gates.length === 1, { what: "the second run's step started" });
    gates.shift()!();
    expect((await waitForRun(t.db(), (await runOf(first[0]!)).id)).status).toBe("completed");
    expect((await waitForRun(t.db(), waiting.id)).status).toBe("completed");
    expect(claimedRuns.has(waiting.id)).toBe(true);
    expect(most).toBe(1);
  });

  it("runs a handed-over call outside the async context of the request that sent its event", async () => {
    await claimLoopIdle();
    const { ids } = await requestStore.run("a request", () => inngest.send({ name: "lease-runner/context", data: {} }));
    expect((await waitForRun(t.db(), (await runOf(ids[0]!)).id)).status).toBe("completed");
    expect(storesSeen).toEqual([undefined]);
    expect(claimedRuns.has((await runOf(ids[0]!)).id)).toBe(false);
  });
});
