import { describe, expect, it } from "vitest";
import { activeFunctions, invalidateFunctionCache } from "@/lib/inngest/embedded/function-store";
import type { Executor } from "@/lib/inngest/embedded/sql";

/** A database whose reads of the functions table wait until the test lets each one answer (with no functions). */
function heldReads() {
  const waiting: (() => void)[] = [];
  let reads = 0;
  const db = {
    select: () => ({
      from: () => {
        reads++;
        return new Promise<unknown[]>((resolve) => waiting.push(() => resolve([])));
      },
    }),
  } as unknown as Executor;
  return { db, reads: () => reads, answer: () => waiting.shift()!() };
}

describe("the registered-function cache", () => {
  it("keeps a list read once until a sync invalidates it", async () => {
    const held = heldReads();
    const owner = {};
    const first = activeFunctions(held.db, owner);
    held.answer();
    await first;
    await activeFunctions(held.db, owner);
    expect(held.reads()).toBe(1);
    invalidateFunctionCache(owner);
    const again = activeFunctions(held.db, owner);
    held.answer();
    await again;
    expect(held.reads()).toBe(2);
  });

  it("does not keep a list whose read was in flight when a sync invalidated the cache", async () => {
    const held = heldReads();
    const owner = {};
    const inFlight = activeFunctions(held.db, owner);
    // A sync commits (here or, through its NOTIFY, on another instance) while that read is on its way.
    invalidateFunctionCache(owner);
    held.answer();
    await inFlight;
    const next = activeFunctions(held.db, owner);
    expect(held.reads()).toBe(2);
    held.answer();
    await next;
  });
});
