import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createOfflineModel, offlineText } from "@/lib/ai/offline-model";
import { streamGeneration } from "@/lib/ai/workflows/stream-generation";

// The hold the browser tests use to act while the AI is surely still writing (e2e/model-hold.ts).
const story = `The story so far, page by page.
--- Page 1 of 2 ---
The lighthouse at Gull Point had been dark when Mara Quill climbed the stairs.
--- Page 2 of 2 >>> PAGE TO WRITE <<< ---
(blank)
The writer's instruction: the fog lifts [offline fault: hold hold-test-1]
Write page 2 so that it follows.`;

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "offline-hold-"));
  vi.stubEnv("OFFLINE_MODEL_HOLD_DIR", dir);
  vi.stubEnv("OFFLINE_MODEL_FAULTS", "1");
});
afterEach(() => {
  vi.unstubAllEnvs();
  fs.rmSync(dir, { recursive: true, force: true });
});

function generate(signal?: AbortSignal) {
  const partials: string[] = [];
  const done = streamGeneration({
    model: createOfflineModel({ msPerWord: 0 }),
    prompt: story,
    signal,
    stallTimeoutMs: 10_000,
    totalTimeoutMs: 20_000,
    flushIntervalMs: 0,
    onPartial: (text) => {
      partials.push(text);
    },
  });
  return { partials, done };
}

/** Waits until the answer has made no progress for a while (the hold polls every 100 ms). */
async function settled(partials: string[]): Promise<void> {
  await vi.waitFor(() => expect(partials.length).toBeGreaterThan(0));
  await new Promise((resolve) => setTimeout(resolve, 400));
}

describe("the offline model's hold", () => {
  it("stops after the first word until its release appears, then writes the whole answer", async () => {
    const { partials, done } = generate();
    await settled(partials);
    const whole = offlineText(story);
    expect(partials).toEqual([whole.split(" ")[0] + " "]);

    fs.writeFileSync(path.join(dir, "hold-test-1"), "");
    const result = await done;
    expect(result.text).toBe(whole);
    expect(partials.length).toBeGreaterThan(5);
  });

  it("is ignored unless the faults are switched on", async () => {
    vi.stubEnv("OFFLINE_MODEL_FAULTS", "");
    const { done } = generate();
    expect((await done).text).toBe(offlineText(story));
  });

  it("ends when the job is cancelled during the hold", async () => {
    const controller = new AbortController();
    const { partials, done } = generate(controller.signal);
    await settled(partials);
    controller.abort();
    await expect(done).rejects.toMatchObject({ code: "GEN_CANCELLED" });
  });
});
