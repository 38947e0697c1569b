import { describe, expect, it } from "vitest";
import { loadTemplate, renderTemplate } from "@/lib/ai";
import { GenerationError } from "@/lib/ai/generation-errors";
import { offlineText } from "@/lib/ai/offline-model";
import { parseSuggestAnswer } from "@/lib/stories/codex/suggest/answer";

async function prompt(pages: string[], existing: { kind: string; name: string }[] = []) {
  const template = await loadTemplate("codex_suggest");
  return renderTemplate(template, {
    story: { title: "The Light", language: "en" },
    pages: pages.map((text, i) => ({ number: i + 1, text, cut: false })),
    existing,
    batch: { number: 1, of: 1, firstPage: 1, lastPage: pages.length },
  });
}

describe("the model's answer to codex_suggest", () => {
  it("takes a bare array, a fenced one, an {entries} object or JSON lines; usable entries only", () => {
    const entry = { kind: "character", name: "Mara", aliases: ["M"], description: "Keeper." };
    expect(parseSuggestAnswer(JSON.stringify([entry]))).toEqual([entry]);
    expect(parseSuggestAnswer(`Here you are:\n\`\`\`json\n${JSON.stringify([entry])}\n\`\`\``)).toEqual([entry]);
    expect(parseSuggestAnswer(JSON.stringify({ entries: [entry] }))).toEqual([entry]);
    expect(parseSuggestAnswer(`${JSON.stringify(entry)}\n${JSON.stringify({ ...entry, name: "Tomas" })}`)).toHaveLength(
      2,
    );
    expect(parseSuggestAnswer("[]")).toEqual([]);
    expect(
      parseSuggestAnswer(
        JSON.stringify([
          { kind: "Villain", name: "  Vell  ", aliases: ["V", 3, ""], description: null },
          { kind: "place", name: "" },
          { name: "n".repeat(150), description: "d".repeat(3000) },
        ]),
      ),
    ).toEqual([
      { kind: "other", name: "Vell", aliases: ["V"], description: "" },
      { kind: "other", name: "n".repeat(100), aliases: [], description: "d".repeat(2000) },
    ]);
  });

  it("refuses what is not an array of entries with GEN_MALFORMED_OUTPUT, not retried", () => {
    for (const text of ["Mara is a character.", '{"name": "Mara"}', "[1, 2]", '["Mara"]', "[{]"]) {
      let caught: unknown;
      try {
        parseSuggestAnswer(text);
      } catch (error) {
        caught = error;
      }
      expect(caught, text).toBeInstanceOf(GenerationError);
      expect((caught as GenerationError).code).toBe("GEN_MALFORMED_OUTPUT");
      expect((caught as GenerationError).retriable).toBe(false);
    }
  });
});

describe("the codex_suggest prompt", () => {
  it("holds page text and codex names as data: template syntax in them is not run", async () => {
    const text = await prompt(
      ["Mara wrote {{ story.title }} and {% if true %}yes{% endif %} on the wall."],
      [{ kind: "character", name: "{{ 7 | plus: 1 }}" }],
    );
    expect(text).toContain("Mara wrote {{ story.title }} and {% if true %}yes{% endif %} on the wall.");
    expect(text).toContain("character: {{ 7 | plus: 1 }}");
    expect(text).toContain("Pages 1 to 1 of the story (part 1 of 1)");
  });
});

describe("the offline model on codex_suggest", () => {
  it("suggests repeated capitalised names, not sentence openers, with sentences that mention them", async () => {
    const text = await prompt([
      "Suddenly the storm broke. Mara Quinn ran to the harbour. The boat of Tomas was gone, and Mara knew it.",
      "Later that night Tomas came back. Nobody asked where. Mara waited at Kellan Point; she reached Kellan Point at ten.",
      "Suddenly it was morning. Élodie smiled at Mara, who had seen Tomas first. Only Élodie spoke.",
    ]);
    const answer = offlineText(text);
    expect(offlineText(text)).toBe(answer);
    const entries = parseSuggestAnswer(answer);
    const names = entries.map((e) => e.name);
    expect(names.sort()).toEqual(["Kellan Point", "Mara Quinn", "Tomas", "Élodie"].sort());
    const mara = entries.find((e) => e.name === "Mara Quinn")!;
    expect(mara).toMatchObject({ kind: "character", aliases: ["Mara"] });
    expect(mara.description).toContain("Mara Quinn ran to the harbour.");
    expect(entries.find((e) => e.name === "Kellan Point")!.kind).toBe("place");
    for (const word of ["Suddenly", "Later", "Nobody", "The"]) expect(names).not.toContain(word);
  });

  it("names an existing entry as the codex spells it, and answers [] when nothing repeats", async () => {
    const entries = parseSuggestAnswer(
      offlineText(
        await prompt(["Tomas sang. Then Tomas slept.", "Ask tomas."], [{ kind: "character", name: "Tomas" }]),
      ),
    );
    expect(entries.map((e) => e.name)).toEqual(["Tomas"]);
    expect(offlineText(await prompt(["The sea was calm. A gull cried once."]))).toBe("[]");
  });
});
