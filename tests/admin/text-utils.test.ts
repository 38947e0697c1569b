import { describe, expect, it } from "vitest";
import { applyDiff, diffLines, diffStats, diffWords } from "@/lib/text/diff";
import { csvCell, csvRow } from "@/lib/text/csv";

describe("diffWords", () => {
  it("marks the changed words and keeps the rest equal", () => {
    const parts = diffWords("The lamp woke slowly.", "The lamp woke with a sigh.");
    expect(parts).toEqual([
      { op: "equal", text: "The lamp woke " },
      { op: "delete", text: "slowly." },
      { op: "insert", text: "with a sigh." },
    ]);
  });

  it("handles empty sides and identical texts", () => {
    expect(diffWords("", "New text")).toEqual([{ op: "insert", text: "New text" }]);
    expect(diffWords("Old text", "")).toEqual([{ op: "delete", text: "Old text" }]);
    expect(diffWords("Same", "Same")).toEqual([{ op: "equal", text: "Same" }]);
    expect(diffWords("", "")).toEqual([]);
  });

  it("finds an insertion in the middle without rewriting the ends", () => {
    const parts = diffWords("Mara climbed the stairs.\nTobin waited.", "Mara climbed the old stairs.\nTobin waited.");
    expect(parts.filter((p) => p.op !== "equal")).toEqual([{ op: "insert", text: "old " }]);
    expect(diffStats(parts)).toEqual({ inserted: 1, deleted: 0 });
  });

  it("always reproduces both texts, also when the texts are too long for the word table", () => {
    const a = Array.from({ length: 3000 }, (_, i) => `w${i}`).join(" ");
    const b = Array.from({ length: 3000 }, (_, i) => `v${i}`).join(" ");
    for (const [x, y] of [
      ["one two three", "three two one"],
      ["a\nb\nc\n", "a\nc\nd\n"],
      [a, b],
    ] as const) {
      expect(applyDiff(diffWords(x, y))).toEqual({ before: x, after: y });
    }
  });

  it("diffs lines", () => {
    expect(diffLines("a\nb\nc\n", "a\nB\nc\n")).toEqual([
      { op: "equal", text: "a\n" },
      { op: "delete", text: "b\n" },
      { op: "insert", text: "B\n" },
      { op: "equal", text: "c\n" },
    ]);
  });
});

describe("CSV", () => {
  it("quotes every text cell, doubles quotes, and leaves numbers and empty cells bare", () => {
    expect(csvCell("plain")).toBe('"plain"');
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("line\nbreak")).toBe('"line\nbreak"');
    expect(csvCell("cr\rlf")).toBe('"cr\rlf"');
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
    expect(csvCell(12.5)).toBe("12.5");
    expect(csvCell(new Date("2025-01-02T03:04:05.000Z"))).toBe('"2025-01-02T03:04:05.000Z"');
  });

  it("defuses cells a spreadsheet would run as a formula", () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvCell("+1")).toBe(`"'+1"`);
    expect(csvCell("-2+3")).toBe(`"'-2+3"`);
    expect(csvCell("@SUM(A1)")).toBe(`"'@SUM(A1)"`);
    expect(csvCell("\tcmd")).toBe(`"'\tcmd"`);
    expect(csvCell(-5)).toBe("-5");
  });

  it("keeps a formula after a semicolon inside its quoted cell, for spreadsheets that split on semicolons", () => {
    expect(csvCell("x;=cmd|' /C calc'!A0")).toBe(`"x;=cmd|' /C calc'!A0"`);
  });

  it("ends rows with CRLF", () => {
    expect(csvRow(["a", 1, null, "b,c"])).toBe('"a",1,,"b,c"\r\n');
  });
});
