import { describe, expect, it } from "vitest";
import { applyAllReport, discardAllReport } from "@/components/stories/background-revision-text";

// Apply all / Discard all say what they did: how many suggestions, on which pages, and each page skipped and why.
describe("the Apply all / Discard all reports", () => {
  it("Apply all counts what it applied and names the pages skipped, with the reason", () => {
    expect(applyAllReport([{ pageNumber: 1 }, { pageNumber: 3 }, { pageNumber: 4 }], [], [])).toEqual({
      tone: "success",
      text: "Applied 3 suggestions: pages 1, 3 and 4.",
    });
    expect(applyAllReport([{ pageNumber: 1 }], [{ pageNumber: 2 }], [{ pageNumber: 5 }, { pageNumber: 6 }])).toEqual({
      tone: "warning",
      text:
        "Applied 1 suggestion: page 1. Skipped page 2: changed since the revision read it; its suggestion is still " +
        "waiting on the page to compare. Skipped pages 5 and 6: their suggestions were already applied or discarded " +
        "elsewhere.",
    });
    expect(applyAllReport([], [{ pageNumber: 2 }, { pageNumber: 3 }]).text).toBe(
      "No suggestion was applied. Skipped pages 2 and 3: changed since the revision read them; their suggestions are still waiting on the page to compare.",
    );
  });

  it("Discard all counts what it discarded and names the pages", () => {
    expect(discardAllReport([{ pageNumber: 2 }, { pageNumber: 4 }]).text).toBe(
      "Discarded 2 suggestions: pages 2 and 4. The pages keep their text.",
    );
    expect(discardAllReport([]).text).toBe(
      "No suggestion was left to discard: they were applied or discarded elsewhere.",
    );
  });
});
