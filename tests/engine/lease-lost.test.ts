import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { inngest } from "@/lib/inngest/client";
import { inngestQueue, inngestRuns, inngestSteps } from "@/lib/inngest/embedded/testing";
import { sleep, useEngine, waitFor } from "./harness";

// A call whose lease is found gone at renewal (this process stalled past it, or the database was out of reach that
// long, and another instance took the item) is told in the log, once: its call may run again elsewhere and its result
// will be refused. Taken here by a direct write standing for the other instance.

const LOST = "inngest lease lost while its call runs: another worker may run it, this result is refused";
let release: () => void = () => {};
const started: string[] = [];

const held = inngest.createFunction(
  { id: "lease-lost-held", triggers: [{ event: "test/lease-lost" }], retries: 0 },
  async ({ runId, step }) =>
    step.run("held", async () => {
      started.push(runId);
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return "done";
    }),
);

// Renewed every 200 ms: several renewals pass while the step is held.
const t = useEngine(() => [held], { leaseMs: 600, workers: 1 });
const lostLines = () => t.logs.filter((l) => l.msg === LOST);

describe("embedded engine: a lease lost while its call runs", () => {
  it("is renewed quietly while it is the worker's, and told once when another owner has it", async () => {
    await inngest.send({ name: "test/lease-lost", data: {} });
    const runId = await waitFor(async () => started[0], { what: "the held step to start" });
    // Renewals of a lease that is still this worker's say nothing.
    await sleep(700);
    expect(lostLines()).toEqual([]);

    const [item] = await t
      .db()
      .update(inngestQueue)
      .set({ leaseOwner: "another-instance", leaseUntil: new Date(Date.now() + 60_000) })
      .where(and(eq(inngestQueue.runId, runId), eq(inngestQueue.kind, "call")))
      .returning({ id: inngestQueue.id });
    expect(item).toBeDefined();
    await waitFor(async () => lostLines().length > 0, { what: "the lost lease to be told" });
    // Told once, however many renewals find it gone.
    await sleep(700);
    expect(lostLines()).toHaveLength(1);
    expect(lostLines()[0]!.fields).toMatchObject({ runId, itemId: item!.id });
    expect(lostLines()[0]!.level).toBe("warn");

    // The item stays the other owner's: renewal never takes a lease back.
    const [row] = await t.db().select().from(inngestQueue).where(eq(inngestQueue.id, item!.id));
    expect(row!.leaseOwner).toBe("another-instance");
    // The call ends; what it brings back is not recorded, as the item is not its worker's.
    const callEnded = () => t.logs.some((l) => l.msg.startsWith("inngest call") && l.fields.runId === runId);
    release();
    await waitFor(async () => callEnded(), { what: "the held call to end" });
    const [run] = await t.db().select().from(inngestRuns).where(eq(inngestRuns.id, runId));
    expect(run!.status).toBe("running");
    const [step] = await t.db().select().from(inngestSteps).where(eq(inngestSteps.runId, runId));
    expect(step?.status).not.toBe("completed");
  });
});
