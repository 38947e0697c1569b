import { describe, expect, it } from "vitest";
import { offlineText } from "@/lib/ai/offline-model";
import { loadTemplate, renderTemplate } from "@/lib/ai/prompts";
import { buildSectionedPayload, sectionVariables, type SectionedPayload } from "@/lib/ai/sections";

// The section template and the offline model's answer to it: a page revised section by section must come back with
// its paragraphs where the author put them.

const page = Array.from(
  { length: 60 },
  (_v, i) =>
    `  Mara walked to the lighthouse for the ${i}th time. She looked at the very small boat below. Tobin said nothing at all.\nThe wind rose.`,
).join("\n\n");

async function sectionPrompts(instruction: string): Promise<{ payload: SectionedPayload; prompts: string[] }> {
  const template = await loadTemplate("page_revise_section");
  const { payload } = buildSectionedPayload({
    text: page,
    variables: {
      story: { title: "The Lighthouse", description: "A keeper and a storm.", language: "en" },
      target: { number: 3 },
      instruction,
    },
    templateBody: template.body,
    budgetTokens: 1200,
  });
  const prompts: string[] = [];
  for (let i = 0; i < payload.textSections.length; i++)
    prompts.push(await renderTemplate(template, sectionVariables(payload, i)));
  return { payload, prompts };
}

const paragraphsOf = (text: string) => text.trim().split(/\n[ \t]*\n/);
const wordsOf = (text: string) => text.split(/\s+/).filter(Boolean).length;

describe("page_revise_section v1", () => {
  it("renders a section with its neighbours' context exactly as committed", async () => {
    const { prompts } = await sectionPrompts("Make it darker");
    expect(prompts.length).toBeGreaterThan(2);
    await expect(prompts[1]).toMatchFileSnapshot("./__snapshots__/page_revise_section.v1.txt");
  });

  it("says which section of how many, and leaves out the context a first or last section has not", async () => {
    const { prompts } = await sectionPrompts("");
    const n = prompts.length;
    expect(prompts[0]).toContain(`This is section 1 of ${n} of page 3`);
    expect(prompts[0]).not.toContain("The end of the section before it");
    expect(prompts[n - 1]).not.toContain("The start of the section after it");
    expect(prompts[0]).toContain("No specific instruction");
  });
});

describe("the offline model on a section", () => {
  it("keeps the section's paragraphs, lines and indentation, deterministically", async () => {
    const { payload, prompts } = await sectionPrompts("Make it more vivid");
    prompts.forEach((prompt, i) => {
      const original = payload.textSections[i]!.text.trim();
      const answer = offlineText(prompt);
      expect(offlineText(prompt)).toBe(answer);
      expect(paragraphsOf(answer)).toHaveLength(paragraphsOf(original).length);
      expect(answer.split("\n").map((l) => /^\s*/.exec(l)![0])).toEqual(
        original.split("\n").map((l) => /^\s*/.exec(l)![0]),
      );
      // "More vivid" asks for detail: every paragraph gains a sentence made of the story's own words.
      expect(wordsOf(answer)).toBeGreaterThan(wordsOf(original));
      expect(answer).not.toContain(">>>");
    });
  });

  it("has one effect per instruction: shorter has fewer words; a mood adds its line once, in the first section", async () => {
    const shorter = await sectionPrompts("Make it more concise");
    for (const [i, prompt] of shorter.prompts.entries())
      expect(wordsOf(offlineText(prompt))).toBeLessThan(wordsOf(shorter.payload.textSections[i]!.text));
    const darker = await sectionPrompts("Make it darker");
    const answers = darker.prompts.map(offlineText);
    const originals = darker.payload.textSections.map((s) => s.text);
    const sentenceCount = (text: string) => text.split(/(?<=[.!?])\s+/).filter(Boolean).length;
    expect(sentenceCount(answers[0]!)).toBe(sentenceCount(originals[0]!) + 1);
    expect(answers.slice(1).map((a) => a.trim())).toEqual(originals.slice(1).map((o) => o.trim()));
  });
});
