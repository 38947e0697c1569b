import { describe, expect, it } from "vitest";
import { rollupBlocks, rollupFingerprints, rollupKey, rollupTargetId } from "@/lib/ai/context";
import { offlineRollup } from "@/lib/ai/offline-summary";

const pages = (n: number, summary: (i: number) => string | null = (i) => `Page ${i + 1} happened.`) =>
  Array.from({ length: n }, (_v, i) => ({ id: `p${i}`, summary: summary(i) }));

describe("roll-up runs", () => {
  it("are the full aligned runs of 8, 16, 32, ... pages, bottom-up", () => {
    expect(rollupBlocks(7)).toEqual([]);
    expect(rollupBlocks(20)).toEqual([
      { start: 0, size: 8, level: 1 },
      { start: 8, size: 8, level: 1 },
      { start: 0, size: 16, level: 2 },
    ]);
    expect(rollupBlocks(1000)).toHaveLength(125 + 62 + 31 + 15 + 7 + 3 + 1);
  });

  it("have fingerprints that change with any summary, id or order under them, and only those", () => {
    const base = rollupFingerprints(pages(16));
    const changed = rollupFingerprints(pages(16, (i) => (i === 3 ? "Something else." : `Page ${i + 1} happened.`)));
    expect(changed.get(rollupKey(0, 8))).not.toBe(base.get(rollupKey(0, 8)));
    expect(changed.get(rollupKey(0, 16))).not.toBe(base.get(rollupKey(0, 16)));
    expect(changed.get(rollupKey(8, 8))).toBe(base.get(rollupKey(8, 8)));
    const swapped = pages(16);
    [swapped[0], swapped[1]] = [swapped[1]!, swapped[0]!];
    expect(rollupFingerprints(swapped).get(rollupKey(0, 8))).not.toBe(base.get(rollupKey(0, 8)));
    expect(rollupFingerprints(pages(16)).get(rollupKey(0, 16))).toBe(base.get(rollupKey(0, 16)));
    // A page without a summary yet: its run and the runs above it wait.
    const missing = rollupFingerprints(pages(16, (i) => (i === 9 ? null : "x.")));
    expect(missing.get(rollupKey(8, 8))).toBeNull();
    expect(missing.get(rollupKey(0, 16))).toBeNull();
    expect(missing.get(rollupKey(0, 8))).toMatch(/^[0-9a-f]{64}$/);
  });

  it("have a job target id per story and run, shaped as a UUID", () => {
    const id = rollupTargetId("7d1c3a52-0d7e-4a55-9a2b-3c4d5e6f7a8b", 8, 8);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(rollupTargetId("7d1c3a52-0d7e-4a55-9a2b-3c4d5e6f7a8b", 8, 8)).toBe(id);
    expect(rollupTargetId("7d1c3a52-0d7e-4a55-9a2b-3c4d5e6f7a8b", 0, 16)).not.toBe(id);
  });
});

describe("the offline model's roll-up", () => {
  it("is an extractive summary of the children's summaries, without their labels", () => {
    const prompt = [
      "The SUMMARIES TO ROLL UP:",
      "<<<",
      "Page 1: Mara found the map in the lighthouse.",
      "Page 2: (blank page)",
      "Pages 3–4: Tobias sailed north with the map.",
      ">>>",
      "Answer with the roll-up only.",
    ].join("\n");
    const text = offlineRollup(prompt);
    expect(text).toBe("Mara found the map in the lighthouse. Tobias sailed north with the map.");
    expect(offlineRollup(prompt)).toBe(text);
  });
});
