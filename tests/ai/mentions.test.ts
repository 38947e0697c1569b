import { describe, expect, it } from "vitest";
import { createMentionMatcher, normalizeNameKey } from "@/lib/ai/context/mentions";

const ids = (found: { id: string }[]) => found.map((f) => f.id);

describe("createMentionMatcher", () => {
  const matcher = createMentionMatcher([
    { id: "mara", names: ["Mara", "the Captain"] },
    { id: "mara-quinn", names: ["Mara Quinn"] },
    { id: "quinn", names: ["Quinn"] },
    { id: "asa", names: ["Åsa"] },
    { id: "zoe", names: ["Zoë"] },
    { id: "li", names: ["李明"] },
    { id: "tokyo", names: ["東京"] },
    { id: "thai", names: ["สมชาย"] },
    { id: "ss", names: ["Straße"] },
  ]);

  it("matches names and aliases case-insensitively, reporting the spelling of the codex and the text's offset", () => {
    expect(matcher.find("Then THE CAPTAIN spoke.")).toEqual([{ id: "mara", name: "the Captain", index: 5 }]);
    expect(matcher.find("mara laughed")).toEqual([{ id: "mara", name: "Mara", index: 0 }]);
  });

  it("matches whole words only in scripts with spaces", () => {
    expect(matcher.find("Maranatha and Quinnsville and Amara")).toEqual([]);
    expect(matcher.find("Mara2 and _Mara")).toEqual([{ id: "mara", name: "Mara", index: 11 }]);
  });

  it("still matches before punctuation and possessives", () => {
    expect(ids(matcher.find("Mara's coat."))).toEqual(["mara"]);
    expect(ids(matcher.find("Mara’s coat."))).toEqual(["mara"]);
    expect(ids(matcher.find("(Mara), “Mara!” Mara?"))).toEqual(["mara", "mara", "mara"]);
    expect(ids(matcher.find("Mara-like"))).toEqual(["mara"]);
  });

  it("prefers the longest name at one place and does not count the shorter names inside it", () => {
    expect(matcher.find("Mara Quinn arrived. Then Mara. Then Quinn.")).toEqual([
      { id: "mara-quinn", name: "Mara Quinn", index: 0 },
      { id: "mara", name: "Mara", index: 25 },
      { id: "quinn", name: "Quinn", index: 36 },
    ]);
    // Spaces in the text may be any whitespace, a line break included.
    expect(ids(matcher.find("Mara\n  Quinn"))).toEqual(["mara-quinn"]);
  });

  it("handles Unicode letters: accents, precomposed or combining, other cases and compatibility forms", () => {
    expect(ids(matcher.find("ÅSA and åsa and Zoë"))).toEqual(["asa", "asa", "zoe"]);
    // "Zoe" + combining diaeresis is the same name after NFKC.
    expect(matcher.find("Hi Zoe\u0308!")).toEqual([{ id: "zoe", name: "Zoë", index: 3 }]);
    // A full-width spelling is the same name after NFKC.
    expect(ids(matcher.find("ＭＡＲＡ waved"))).toEqual(["mara"]);
    // Case folding: ß and SS are the same letters.
    expect(ids(matcher.find("die STRASSE"))).toEqual(["ss"]);
    // A letter with an accent is part of the word: "Åsaë" is not "Åsa".
    expect(matcher.find("Åsaë")).toEqual([]);
  });

  it("matches substrings in scripts without spaces", () => {
    expect(matcher.find("昨天李明去了東京。")).toEqual([
      { id: "li", name: "李明", index: 2 },
      { id: "tokyo", name: "東京", index: 6 },
    ]);
    expect(ids(matcher.find("วันนี้สมชายไปตลาด"))).toEqual(["thai"]);
    // A Latin name right next to Chinese text still has a boundary there.
    expect(ids(matcher.find("Mara说"))).toEqual(["mara"]);
  });

  it("treats regular-expression characters in names as text", () => {
    const m = createMentionMatcher([
      { id: "dr", names: ["Dr. No"] },
      { id: "plus", names: ["C++"] },
      { id: "empty", names: ["   ", ""] },
    ]);
    expect(ids(m.find("Dr. No met C++ fans; DrX No did not."))).toEqual(["dr", "plus"]);
    expect(m.find("anything")).toEqual([]);
  });

  it("reports every entry sharing a name and does not depend on the candidates' order", () => {
    const a = createMentionMatcher([
      { id: "a", names: ["Kit"] },
      { id: "b", names: ["kit", "Kit Lane"] },
    ]);
    const b = createMentionMatcher([
      { id: "b", names: ["Kit Lane", "kit"] },
      { id: "a", names: ["Kit"] },
    ]);
    expect(ids(a.find("Kit and Kit Lane"))).toEqual(["a", "b", "b"]);
    expect(b.find("Kit Lane")).toEqual([{ id: "b", name: "Kit Lane", index: 0 }]);
  });

  it("matches names with hyphens and other punctuation literally (they used to break the whole matcher)", () => {
    const m = createMentionMatcher([
      { id: "jl", names: ["Jean-Luc"] },
      { id: "tag", names: ["Agent 514166f4-2d76"] },
      { id: "odd", names: ["Dr. (Who)?", "C++ [beta]"] },
    ]);
    expect(ids(m.find("Jean-Luc met Agent 514166f4-2d76, then Dr. (Who)? and C++ [beta]."))).toEqual([
      "jl",
      "tag",
      "odd",
      "odd",
    ]);
    expect(m.find("Jean Luc")).toEqual([]);
  });

  it("returns nothing for no candidates or an empty text", () => {
    expect(createMentionMatcher([]).find("Mara")).toEqual([]);
    expect(matcher.find("")).toEqual([]);
  });
});

describe("normalizeNameKey", () => {
  it("folds case and compatibility forms and collapses whitespace", () => {
    expect(normalizeNameKey("  Mara \t  QUINN ")).toBe("mara quinn");
    expect(normalizeNameKey("Ｍａｒａ")).toBe("mara");
    expect(normalizeNameKey("Zoe\u0308")).toBe(normalizeNameKey("ZOË"));
    expect(normalizeNameKey("Straße")).toBe(normalizeNameKey("STRASSE"));
  });
});
