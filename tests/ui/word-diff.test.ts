import { describe, expect, it } from "vitest";
import { wordDiff } from "@/lib/ui/word-diff";

describe("word diff", () => {
  it("marks inserted and deleted words, keeping whitespace so both texts can be read back", () => {
    const before = "The cat sat on the mat.\n\n    It was late.";
    const after = "The black cat sat on a mat.\n\n    It was very late.";
    const diff = wordDiff(before, after);
    expect(diff).not.toBeNull();
    const parts = diff!.parts;
    expect(
      parts
        .filter((p) => p.kind !== "added")
        .map((p) => p.text)
        .join(""),
    ).toBe(before);
    expect(
      parts
        .filter((p) => p.kind !== "removed")
        .map((p) => p.text)
        .join(""),
    ).toBe(after);
    expect(parts.filter((p) => p.kind === "added").map((p) => p.text.trim())).toEqual(["black", "a", "very"]);
    expect(parts.filter((p) => p.kind === "removed").map((p) => p.text.trim())).toEqual(["the"]);
  });

  it("counts words as a reader does (punctuation is not a word), in any script", () => {
    expect(wordDiff("Stop.", "Stop. It purred!")).toMatchObject({ addedWords: 2, removedWords: 0 });
    expect(wordDiff("猫が座った", "猫が座った")).toMatchObject({ addedWords: 0, removedWords: 0 });
  });

  it("gives up on two long, unrelated texts instead of freezing the page", () => {
    const words = (seed: number) =>
      Array.from({ length: 20_000 }, (_, i) => `w${(i * 7919 + seed) % 104_729}`).join(" ");
    expect(wordDiff(words(1), words(2), 50)).toBeNull();
  });
});
