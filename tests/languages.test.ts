import { describe, expect, it } from "vitest";
import { LANGUAGE_TAGS, languageName, languageOptions } from "@/lib/stories/languages";

describe("story languages", () => {
  it("names every tag in the list (no tag falls back to its code)", () => {
    for (const tag of LANGUAGE_TAGS) expect(languageName(tag), tag).not.toBe(tag);
    expect(languageName("pt-BR")).toBe("Brazilian Portuguese");
  });

  it("offers the options sorted by name, and keeps a story's tag that is not in the list", () => {
    const names = languageOptions().map((o) => o.name);
    expect(names).toEqual([...names].sort((a, b) => new Intl.Collator("en").compare(a, b)));
    expect(languageOptions().some((o) => o.tag === "tlh")).toBe(false);
    expect(languageOptions("tlh").find((o) => o.tag === "tlh")?.name).toBe("Klingon");
  });
});
