import { describe, expect, it } from "vitest";
import { percentile, renderReport, summarize } from "@/bench/streams/stats";

/** The stream benchmark's arithmetic and report (bench/streams/run.ts needs a built app and PostgreSQL). */
describe("bench:streams report", () => {
  it("takes nearest-rank percentiles", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted on purpose
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBe(0);
    expect(summarize([3, 1, 2], 1)).toEqual({ samples: 3, failures: 1, p50: 2, p95: 3, max: 3 });
  });

  it("puts both phases side by side with date, machine, load and command", () => {
    const report = renderReport({
      date: "2026-12-02T16:00:00.000Z",
      machine: "2 × test CPU",
      command: "npm run bench:streams",
      server: "next start",
      loadStart: "1.00 1.00 1.00 1/100 1",
      loadEnd: "2.00 2.00 2.00 1/100 1",
      users: 25,
      streamsWanted: 500,
      streamsOpen: 500,
      streamsRefused: 0,
      overUserCap: 429,
      overProcessCap: 429,
      eventsAtOpen: 500,
      eventsDuringMeasure: 0,
      idle: { samples: 100, failures: 0, p50: 12.4, p95: 20, max: 31 },
      loaded: { samples: 100, failures: 0, p50: 15, p95: 24.6, max: 40 },
      after: { samples: 100, failures: 2, p50: 11, p95: 19, max: 30 },
    });
    expect(report).toContain("- date: 2026-12-02T16:00:00.000Z");
    expect(report).toContain("at start: 1.00 1.00 1.00 1/100 1; at end: 2.00 2.00 2.00 1/100 1");
    expect(report).toContain("`npm run bench:streams`");
    expect(report).toContain("| 0 | 100 (0 failed) | 12 ms | 20 ms | 31 ms |");
    expect(report).toContain("| 500 | 100 (0 failed) | 15 ms | 25 ms | 40 ms |");
    expect(report).toContain("| 0 (after closing them) | 100 (2 failed) | 11 ms | 19 ms | 30 ms |");
    expect(report).toContain("beyond a user's cap answered 429");
    expect(report).toContain("500 on opening");
  });
});
