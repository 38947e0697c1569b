import { describe, expect, it } from "vitest";
import { normalizeAiSummary, SUMMARY_MAX } from "@/lib/stories/summaries/text";
import { validateSummaryAnswer } from "@/lib/stories/summaries/land";

describe("a model's answer as a summary", () => {
  it("keeps at most three sentences, drops a label and wrapping quotes, collapses whitespace", () => {
    expect(normalizeAiSummary('Summary: "Mara climbs.  Tobias waits.\nThe lamp fails. Dawn comes."')).toBe(
      "Mara climbs. Tobias waits. The lamp fails.",
    );
    expect(normalizeAiSummary("  Mara climbs the stairs  ")).toBe("Mara climbs the stairs");
  });

  it("cuts an over-long answer at a word boundary within the limit, marked", () => {
    const cut = normalizeAiSummary(`${"storm ".repeat(600)}ends.`);
    expect(cut.length).toBeLessThanOrEqual(SUMMARY_MAX);
    expect(cut.endsWith("storm…")).toBe(true);
  });

  it("fails the job for good (typed) when nothing usable is left", () => {
    expect(() => validateSummaryAnswer("   \n ")).toThrow(
      expect.objectContaining({ code: "GEN_CONSTRAINT_FAIL", retriable: false }),
    );
    expect(() => validateSummaryAnswer("Mara climbs.")).not.toThrow();
  });
});
