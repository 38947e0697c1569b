import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ContextBudgetError } from "@/lib/ai/context";
import {
  buildSectionedPayload,
  isSectionedPayload,
  joinRevisedSections,
  planSections,
  SECTION_MIN_TOKENS,
  sectionParts,
  sectionVariables,
  splitIntoSections,
} from "@/lib/ai/sections";
import { estimateTokens } from "@/lib/ai/tokens";

// Texts as authors write them: paragraphs of sentences, any whitespace between them (blank lines with spaces,
// indentation, CRLF), now and then a paragraph far longer than a section, a run with no space at all, other scripts.
const word = fc.oneof(
  { weight: 8, arbitrary: fc.stringMatching(/^[a-zA-Z]{1,9}[,;]?$/) },
  { weight: 1, arbitrary: fc.constantFrom("Mara", "l'été", "naïve", "😀", "👩‍👩‍👧", "e\u0301", "東京", "Москва") },
);
const sentence = fc
  .tuple(fc.array(word, { minLength: 1, maxLength: 14 }), fc.constantFrom(".", "!", "?", "…", '."', "。"))
  .map(([ws, end]) => ws.join(" ") + end);
const lineOf = fc.array(sentence, { minLength: 1, maxLength: 6 }).map((ss) => ss.join(" "));
const paragraph = fc.oneof(
  { weight: 6, arbitrary: fc.array(lineOf, { minLength: 1, maxLength: 3 }).map((ls) => ls.join("\n")) },
  // A giant paragraph: many sentences, no blank line.
  { weight: 1, arbitrary: fc.array(sentence, { minLength: 30, maxLength: 80 }).map((ss) => ss.join(" ")) },
  // A run with no boundary at all.
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z]{50,400}$/) },
  { weight: 1, arbitrary: fc.stringMatching(/^[東京都の空は青い。]{20,200}$/) },
);
const gap = fc.constantFrom("\n\n", "\n\n\n", "\n  \n", "\r\n\r\n", "\n\n    ", " \n\n\t");
const text = fc
  .tuple(
    fc.constantFrom("", "\n", "  ", "\n\n  "),
    fc.array(fc.tuple(paragraph, gap), { minLength: 1, maxLength: 25 }),
    fc.constantFrom("", "\n", "  \n\n"),
  )
  .map(([lead, paras, trail]) => lead + paras.map(([p, g], i) => (i < paras.length - 1 ? p + g : p)).join("") + trail);
const maxTokens = fc.integer({ min: 8, max: 400 });

/** Where each section ends, as offsets into the text. */
function boundaries(sections: string[]): number[] {
  const ends: number[] = [];
  let at = 0;
  for (const s of sections.slice(0, -1)) {
    at += s.length;
    ends.push(at);
  }
  return ends;
}

describe("splitIntoSections (property-based)", () => {
  it("concatenates back to the text exactly, whitespace between paragraphs included", () => {
    fc.assert(
      fc.property(text, maxTokens, (t, max) => {
        expect(splitIntoSections(t, max).join("")).toBe(t);
      }),
      { numRuns: 200 },
    );
  });

  it("gives no empty section, and each fits its maximum", () => {
    fc.assert(
      fc.property(text, maxTokens, (t, max) => {
        const sections = splitIntoSections(t, max);
        expect(sections.length).toBeGreaterThan(0);
        for (const s of sections) {
          expect(s.length).toBeGreaterThan(0);
          expect(estimateTokens(s)).toBeLessThanOrEqual(max);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("is deterministic", () => {
    fc.assert(
      fc.property(text, maxTokens, (t, max) => {
        expect(splitIntoSections(t, max)).toEqual(splitIntoSections(t, max));
      }),
      { numRuns: 100 },
    );
  });

  it("cuts only between paragraphs when every paragraph fits", () => {
    fc.assert(
      fc.property(text, maxTokens, (t, max) => {
        const paragraphs = t.split(/\n[ \t\r]*\n\s*/);
        fc.pre(paragraphs.every((p) => estimateTokens(p) + 3 <= max));
        const sections = splitIntoSections(t, max);
        for (const s of sections.slice(0, -1)) expect(s).toMatch(/\n[ \t\r]*\n\s*$/);
      }),
      { numRuns: 200 },
    );
  });

  it("never cuts inside a word when every word fits", () => {
    fc.assert(
      fc.property(text, maxTokens, (t, max) => {
        fc.pre(t.split(/\s+/).every((w) => estimateTokens(w) < max / 2));
        for (const at of boundaries(splitIntoSections(t, max))) {
          expect(/\s/.test(t[at - 1]!) || /\s/.test(t[at]!)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("packs as many paragraphs as fit: two consecutive sections could not have been one", () => {
    fc.assert(
      fc.property(text, maxTokens, (t, max) => {
        const sections = splitIntoSections(t, max);
        for (let i = 0; i + 1 < sections.length; i++) {
          // Greedy packing: the next section's first piece did not fit in this one, so neither did the whole next
          // section (its pieces counted together, not each rounded up).
          expect(estimateTokens(sections[i]! + sections[i + 1]!)).toBeGreaterThan(max);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("an empty text has no sections; a text that fits is one section", () => {
    expect(splitIntoSections("", 10)).toEqual([]);
    expect(splitIntoSections("One.\n\nTwo.", 100)).toEqual(["One.\n\nTwo."]);
    expect(() => splitIntoSections("x", 0)).toThrow(RangeError);
  });

  it("cuts a giant paragraph at sentences, and a run without spaces at words of its script", () => {
    const giant = Array.from({ length: 40 }, (_v, i) => `Sentence number ${i} is here.`).join(" ");
    const sections = splitIntoSections(giant, 40);
    expect(sections.length).toBeGreaterThan(1);
    for (const s of sections.slice(0, -1)) expect(s).toMatch(/\. $/);
    const japanese = "東京都の空は青い".repeat(40);
    expect(splitIntoSections(japanese, 20).join("")).toBe(japanese);
  });
});

describe("joinRevisedSections", () => {
  it("answers equal to the sections' words give the text back exactly (the author's whitespace is kept)", () => {
    fc.assert(
      fc.property(text, maxTokens, (t, max) => {
        const sections = splitIntoSections(t, max);
        const answers = sections.map((s) => `  ${sectionParts(s).body}\n`);
        expect(joinRevisedSections(sections, answers)).toBe(t);
      }),
      { numRuns: 200 },
    );
  });

  it("shows the sections revised so far, then the current one's partial answer", () => {
    const sections = ["One.\n\n", "  Two.\n\n", "Three."];
    expect(joinRevisedSections(sections, ["ONE."], "TW")).toBe("ONE.\n\n  TW");
    expect(joinRevisedSections(sections, ["ONE.", "TWO."])).toBe("ONE.\n\n  TWO.\n\n");
  });
});

describe("planSections", () => {
  const page = Array.from(
    { length: 400 },
    (_v, i) => `Paragraph ${i}: Mara climbed the lighthouse stairs again, counting each of them.`,
  ).join("\n\n");

  it("fits every section's prompt (fixed part, context from its neighbours, section) into the budget", () => {
    fc.assert(
      fc.property(fc.integer({ min: 300, max: 9000 }), fc.integer({ min: 0, max: 3000 }), (budget, fixed) => {
        fc.pre(budget - fixed >= SECTION_MIN_TOKENS);
        const plan = planSections({ text: page, budgetTokens: budget, fixedTokens: fixed });
        expect(plan.sections.map((s) => s.text).join("")).toBe(page);
        for (const s of plan.sections) {
          const tokens = fixed + estimateTokens(s.before) + estimateTokens(s.after) + estimateTokens(s.text);
          expect(tokens).toBeLessThanOrEqual(budget);
        }
        expect(plan.estimatedTokens).toBeLessThanOrEqual(budget);
      }),
      { numRuns: 60 },
    );
  });

  it("gives each section the end of the one before and the start of the one after, cut at words", () => {
    const plan = planSections({ text: page, budgetTokens: 2000, fixedTokens: 400 });
    expect(plan.sections.length).toBeGreaterThan(2);
    const [first, second] = plan.sections;
    expect(first!.before).toBe("");
    expect(second!.before.length).toBeGreaterThan(0);
    expect(first!.text.trimEnd().endsWith(second!.before)).toBe(true);
    expect(second!.text.trimStart().startsWith(first!.after)).toBe(true);
    expect(plan.sections.at(-1)!.after).toBe("");
    expect(second!.before).toMatch(/^\S/);
  });

  it("is refused only when the fixed part and the smallest section cannot fit, saying what it needs", () => {
    expect(() =>
      planSections({ text: page, budgetTokens: 1000, fixedTokens: 1000 - SECTION_MIN_TOKENS }),
    ).not.toThrow();
    let refusal: unknown;
    try {
      planSections({ text: page, budgetTokens: 1000, fixedTokens: 1001 - SECTION_MIN_TOKENS });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ContextBudgetError);
    expect(refusal).toMatchObject({ neededTokens: 1001, budgetTokens: 1000 });
  });

  it("drops the neighbours' context before it gives up room the section needs", () => {
    const tight = planSections({ text: page, budgetTokens: 1000, fixedTokens: 1000 - SECTION_MIN_TOKENS });
    for (const s of tight.sections) expect(s.before + s.after).toBe("");
  });
});

describe("sectioned payloads", () => {
  it("records the sections with the template's other variables, and renders one section at a time", () => {
    const text = "First paragraph.\n\n".repeat(300);
    const built = buildSectionedPayload({
      text,
      variables: { story: { title: "T" }, instruction: "" },
      templateBody: "x".repeat(400),
      budgetTokens: 1000,
    });
    expect(isSectionedPayload(built.payload)).toBe(true);
    expect(isSectionedPayload({ pages: [] })).toBe(false);
    expect(built.payload.textSections.map((s) => s.text).join("")).toBe(text);
    const variables = sectionVariables(built.payload, 1);
    expect(variables).toMatchObject({ story: { title: "T" }, instruction: "", section: { number: 2 } });
    expect(variables).not.toHaveProperty("textSections");
    expect((variables.section as { text: string }).text).toMatch(/^First paragraph\.[\s\S]*First paragraph\.$/);
    expect(() => sectionVariables(built.payload, 999)).toThrow(RangeError);
  });
});
