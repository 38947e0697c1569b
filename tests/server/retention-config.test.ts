import { describe, expect, it } from "vitest";
import { retentionMsFromEnv } from "@/lib/inngest/retention-config";

const DAY = 86_400_000;
const of = (value: string | undefined) => retentionMsFromEnv({ INNGEST_EMBEDDED_RETENTION_DAYS: value });

describe("INNGEST_EMBEDDED_RETENTION_DAYS", () => {
  it("defaults to 30 days, takes days (fractions too), and 0 / off keeps everything", () => {
    expect(of(undefined)).toEqual({ retentionMs: 30 * DAY });
    expect(of("")).toEqual({ retentionMs: 30 * DAY });
    expect(of("7")).toEqual({ retentionMs: 7 * DAY });
    expect(of("0.5")).toEqual({ retentionMs: DAY / 2 });
    expect(of("0")).toEqual({ retentionMs: 0 });
    expect(of("off")).toEqual({ retentionMs: 0 });
    expect(of(" OFF ")).toEqual({ retentionMs: 0 });
  });

  it("a value that is not a number of days keeps the default and says so", () => {
    for (const bad of ["thirty", "-3", "1e9"]) {
      const result = of(bad);
      expect(result.retentionMs).toBe(30 * DAY);
      expect(result.problem).toContain("INNGEST_EMBEDDED_RETENTION_DAYS");
    }
  });
});
