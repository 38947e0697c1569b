import { describe, expect, it } from "vitest";
import {
  backgroundYieldMs,
  foregroundJobEnded,
  inForegroundStep,
  noteForegroundJob,
  yieldToForeground,
} from "@/lib/ai/jobs/foreground";

/* The pacing of background steps behind foreground ones (lib/ai/jobs/foreground.ts), without the engine. */

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("yieldToForeground", () => {
  it("holds a background step while a foreground step runs, and lets it go after the foreground one ends", async () => {
    const step = deferred();
    const foreground = inForegroundStep("job-1", () => step.promise);
    let yielded = false;
    const background = yieldToForeground(60_000).then(() => {
      yielded = true;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(yielded).toBe(false);
    // Between two of its steps the job is still under way.
    step.resolve();
    await foreground;
    await new Promise((r) => setTimeout(r, 200));
    expect(yielded).toBe(false);
    foregroundJobEnded("job-1");
    await background;
    expect(yielded).toBe(true);
  });

  it("holds a background step from a foreground job's request, before its first step", async () => {
    noteForegroundJob("job-2");
    let yielded = false;
    const background = yieldToForeground(60_000).then(() => {
      yielded = true;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(yielded).toBe(false);
    foregroundJobEnded("job-2");
    await background;
    expect(yielded).toBe(true);
  });

  it("never holds a background step longer than its bound, however long the foreground is busy", async () => {
    const step = deferred();
    const foreground = inForegroundStep("job-1", () => step.promise);
    await yieldToForeground(30);
    step.resolve();
    await foreground;
    foregroundJobEnded("job-1");
  });

  it("passes a foreground step's result and error through", async () => {
    await expect(inForegroundStep("job-3", async () => 42)).resolves.toBe(42);
    await expect(
      inForegroundStep("job-3", async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
  });
});

describe("AI_BACKGROUND_YIELD_MS", () => {
  it("defaults to 1 second, accepts 0 (off), and ignores a value that is not a whole number of milliseconds", () => {
    expect(backgroundYieldMs({})).toBe(1000);
    expect(backgroundYieldMs({ AI_BACKGROUND_YIELD_MS: "0" })).toBe(0);
    expect(backgroundYieldMs({ AI_BACKGROUND_YIELD_MS: "250" })).toBe(250);
    expect(backgroundYieldMs({ AI_BACKGROUND_YIELD_MS: "soon" })).toBe(1000);
    expect(backgroundYieldMs({ AI_BACKGROUND_YIELD_MS: "-5" })).toBe(1000);
  });
});
