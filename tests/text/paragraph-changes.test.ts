import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { paragraphChanges, splitParagraphs, takeParagraphChanges } from "@/lib/text/paragraph-changes";

const paragraph = fc
  .array(fc.constantFrom("Mara", "ran", "the", "pier", "lamp", "  ", "\t", "\n"), { minLength: 1, maxLength: 8 })
  .map((w) => w.join(" "));
const text = fc
  .array(fc.tuple(paragraph, fc.constantFrom("\n\n", "\n\n\n", "\n  \n", "\n")), { maxLength: 6 })
  .map((ps) => ps.map(([p, sep]) => p + sep).join(""));

describe("paragraph changes", () => {
  it("cuts a text into paragraphs that join back into it exactly", () => {
    fc.assert(
      fc.property(text, (t) => {
        expect(splitParagraphs(t).join("")).toBe(t);
      }),
    );
    expect(splitParagraphs("A\n\nB\n  \n    C")).toEqual(["A\n\n", "B\n  \n", "    C"]);
  });

  it("taking every change gives the suggestion, none gives the page, and any choice is built from the two", () => {
    fc.assert(
      fc.property(text, text, fc.array(fc.nat(8)), (current, suggested, picks) => {
        const changes = paragraphChanges(current, suggested);
        const all = new Set(changes.map((c) => c.index));
        expect(takeParagraphChanges(current, suggested, all)).toBe(suggested);
        expect(takeParagraphChanges(current, suggested, new Set())).toBe(current);
        const some = takeParagraphChanges(current, suggested, new Set(picks));
        const allowed = new Set([...splitParagraphs(current), ...splitParagraphs(suggested)]);
        for (const piece of splitParagraphs(some)) {
          expect([...allowed].some((p) => p.includes(piece) || piece.includes(p.trimEnd()))).toBe(true);
        }
      }),
    );
  });

  it("takes one rewritten paragraph and leaves the others as the page has them", () => {
    const page = "Mara waited.\n\nThe lamp went out.\n\nTobin slept.";
    const suggestion = "Mara waited by the pier.\n\nThe lamp went out.\n\nTobin did not sleep.";
    const changes = paragraphChanges(page, suggestion);
    expect(changes).toEqual([
      { index: 0, before: "Mara waited.\n\n", after: "Mara waited by the pier.\n\n" },
      { index: 1, before: "Tobin slept.", after: "Tobin did not sleep." },
    ]);
    expect(takeParagraphChanges(page, suggestion, new Set([1]))).toBe(
      "Mara waited.\n\nThe lamp went out.\n\nTobin did not sleep.",
    );
  });
});
