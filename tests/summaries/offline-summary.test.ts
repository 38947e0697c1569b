import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { offlineText } from "@/lib/ai/offline-model";
import {
  EXTRACTIVE_MAX_CHARS,
  EXTRACTIVE_MAX_SENTENCES,
  extractiveSummary,
  splitSentences,
} from "@/lib/ai/offline-summary";
import { loadTemplate, renderTemplate } from "@/lib/ai/prompts";
import type { SummaryPromptPayload } from "@/lib/stories/summaries/job";

async function summaryPrompt(text: string, previous = ""): Promise<string> {
  const payload: SummaryPromptPayload = {
    story: { title: "The Lighthouse", language: "en" },
    page: { number: 2, total: 3, text, shortened: false },
    previous: { number: 1, summary: previous },
    next: { number: 3, summary: "" },
  };
  return renderTemplate(await loadTemplate("page_summary"), payload as unknown as Record<string, unknown>);
}

const word = fc.constantFrom(
  "Mara",
  "lighthouse",
  "storm",
  "logbook",
  "grandmother",
  "climbed",
  "stairs",
  "the",
  "and",
  "water",
  "Tobias",
  "lamp",
  "quiet",
  "harbour",
  "letter",
);
const sentence = fc
  .tuple(fc.array(word, { minLength: 1, maxLength: 14 }), fc.constantFrom(".", "!", "?"))
  .map(([words, end]) => {
    const text = words.join(" ");
    return `${text[0]!.toUpperCase()}${text.slice(1)}${end}`;
  });
const page = fc.array(sentence, { minLength: 1, maxLength: 30 }).map((s) => s.join(" "));

describe("the offline model's extractive summary", () => {
  it("answers a page summary prompt with 1 to 3 of the page's own sentences, deterministically", async () => {
    await fc.assert(
      fc.asyncProperty(page, async (text) => {
        const prompt = await summaryPrompt(text, "Mara arrived at Gull Point.");
        const summary = offlineText(prompt);
        expect(offlineText(prompt)).toBe(summary);
        const chosen = splitSentences(summary);
        expect(chosen.length).toBeGreaterThanOrEqual(1);
        expect(chosen.length).toBeLessThanOrEqual(EXTRACTIVE_MAX_SENTENCES);
        expect(summary.length).toBeLessThanOrEqual(EXTRACTIVE_MAX_CHARS);
        const own = splitSentences(text);
        for (const s of chosen) expect(own).toContain(s);
        // In the page's order: the summary reads as the page does.
        const positions = chosen.map((s) => own.indexOf(s));
        expect([...positions].sort((x, y) => x - y)).toEqual(positions);
        // The neighbour's summary is context, never summarised as if it were the page.
        if (!text.includes("Gull Point")) expect(summary).not.toContain("Gull Point");
      }),
      { numRuns: 60 },
    );
  });

  it("keeps a short page whole and picks the sentences about what the page is about", () => {
    expect(extractiveSummary("Mara climbed the stairs.")).toBe("Mara climbed the stairs.");
    const text = [
      "The storm came in from the west.",
      "Mara found the logbook in the lamp room.",
      "It was raining.",
      "The logbook was her grandmother's logbook, and the logbook named Tobias.",
      "She sat down.",
      "Tobias had kept the lamp room lit for the logbook's sake.",
    ].join(" ");
    const summary = extractiveSummary(text);
    expect(splitSentences(summary)).toHaveLength(3);
    expect(summary).toContain("logbook");
    expect(summary).not.toContain("She sat down.");
  });

  it("stays within the limit when a single sentence is longer than a summary may be", () => {
    const long = `${"word ".repeat(900)}end.`;
    const summary = extractiveSummary(long);
    expect(summary.length).toBeLessThanOrEqual(EXTRACTIVE_MAX_CHARS);
    expect(long.startsWith(summary.slice(0, -1).trimEnd())).toBe(true);
  });

  it("still writes pages and revisions as before for other prompts", async () => {
    const write = "The story so far, page by page.\n--- Page 1 of 1 >>> PAGE TO WRITE <<< ---\n(blank)\nWrite page 1.";
    expect(splitSentences(offlineText(write)).length).toBeGreaterThan(3);
  });
});
