import { describe, expect, it } from "vitest";
import { ContextBudgetError, fitToBudget } from "@/lib/ai/context";
import { estimateTokens } from "@/lib/ai/tokens";

const page = (id: string, chars: number) => ({ id, text: `${id}:`.padEnd(chars, "x") });

describe("fitToBudget", () => {
  it("keeps the whole story when it fits", () => {
    const sections = [page("p1", 400), page("p2", 400), page("p3", 400)];
    const result = fitToBudget({ sections, targetIndex: 1, budgetTokens: 1000, fixedTokens: 100 });
    expect(result.sections.map((s) => s.fit)).toEqual(["whole", "whole", "whole"]);
    expect(result.leftOut).toEqual([]);
    expect(result.estimatedTokens).toBe(100 + 3 * estimateTokens(sections[0]!.text));
  });

  it("keeps the target and its neighbours whole and shortens the farthest pages first", () => {
    const sections = Array.from({ length: 8 }, (_v, i) => page(`p${i}`, 4000));
    const result = fitToBudget({ sections, targetIndex: 6, budgetTokens: 4500, fixedTokens: 200 });
    const fits = result.sections.map((s) => s.fit);
    expect(fits[5]).toBe("whole");
    expect(fits[6]).toBe("whole");
    expect(fits[7]).toBe("whole");
    expect(fits[0]).not.toBe("whole");
    expect(result.estimatedTokens).toBeLessThanOrEqual(4500);
    // Pages closer to the target never lose more than farther ones.
    const rank = { whole: 0, shortened: 1, omitted: 2 } as const;
    for (let i = 1; i < 5; i++) expect(rank[fits[i]!]).toBeLessThanOrEqual(rank[fits[i - 1]!]);
    expect(result.leftOut.map((l) => l.id)).toEqual(result.sections.filter((s) => s.fit !== "whole").map((s) => s.id));
    for (const s of result.sections.filter((x) => x.fit === "shortened")) {
      expect(s.text).toContain("[…]");
      expect(s.text.length).toBeLessThan(s.originalChars);
    }
  });

  it("is deterministic", () => {
    const sections = Array.from({ length: 12 }, (_v, i) => page(`p${i}`, 1000 + i * 300));
    const a = fitToBudget({ sections, targetIndex: 3, budgetTokens: 3000, fixedTokens: 150 });
    const b = fitToBudget({ sections, targetIndex: 3, budgetTokens: 3000, fixedTokens: 150 });
    expect(a).toEqual(b);
  });

  it("never exceeds the budget, omitting pages when shortening is not enough", () => {
    const sections = Array.from({ length: 40 }, (_v, i) => page(`p${i}`, 3000));
    const result = fitToBudget({ sections, targetIndex: 20, budgetTokens: 3000, fixedTokens: 100 });
    expect(result.estimatedTokens).toBeLessThanOrEqual(3000);
    expect(result.sections.some((s) => s.fit === "omitted")).toBe(true);
    expect(result.sections[20]!.fit).toBe("whole");
  });

  it("fails loudly when the target alone is over budget", () => {
    const sections = [page("p0", 100), page("big", 40_000)];
    expect(() => fitToBudget({ sections, targetIndex: 1, budgetTokens: 2000, fixedTokens: 100 })).toThrow(
      ContextBudgetError,
    );
  });
});
