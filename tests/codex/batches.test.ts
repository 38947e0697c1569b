import { describe, expect, it } from "vitest";
import { countTokens, loadTemplate, renderTemplate } from "@/lib/ai";
import { planBatches, type PageText } from "@/lib/stories/codex/suggest/batches";

const sentence = "The keeper climbed the stairs and trimmed the wick while the gulls argued below. ";
const page = (n: number, repeats: number): PageText => ({ id: `p${n}`, number: n, text: sentence.repeat(repeats) });

describe("Suggest entries: pages packed into prompts that fit the budget", () => {
  it("keeps pages in order, skips blank ones, cuts a page too long for a prompt alone, never exceeds the budget", async () => {
    const template = await loadTemplate("codex_suggest");
    const budgetTokens = 1200;
    const pages = [page(1, 10), { id: "blank", number: 2, text: "  " }, page(3, 10), page(4, 200), page(5, 3)];
    const existing = [{ kind: "character" as const, name: "Mara" }];
    const batches = await planBatches({
      story: { title: "T", language: "en" },
      pages,
      existing,
      template,
      budgetTokens,
    });
    const numbers = batches.map((b) => b.payload.pages.map((p) => p.number));
    expect(numbers.flat()).toEqual([1, 3, 4, 5]);
    expect(batches.map((b) => b.firstPageId)).toEqual(numbers.map((n) => `p${n[0]}`));
    const long = batches.flatMap((b) => b.payload.pages).find((p) => p.number === 4)!;
    expect(long.cut).toBe(true);
    expect(sentence.repeat(200).startsWith(long.text)).toBe(true);
    for (const [i, batch] of batches.entries()) {
      expect(batch.payload.batch).toMatchObject({ number: i + 1, of: batches.length });
      expect(batch.payload.existing).toEqual(existing);
      const prompt = await renderTemplate(template, batch.payload as unknown as Record<string, unknown>);
      expect(countTokens(prompt)).toBeLessThanOrEqual(budgetTokens);
    }
  });

  it("a story without text has no batch", async () => {
    const template = await loadTemplate("codex_suggest");
    const batches = await planBatches({
      story: { title: "T", language: "en" },
      pages: [{ id: "a", number: 1, text: "" }],
      existing: [],
      template,
      budgetTokens: 8000,
    });
    expect(batches).toEqual([]);
  });
});
