import { describe, expect, it } from "vitest";
import { loadTemplate, renderTemplate } from "@/lib/ai";
import { offlineText } from "@/lib/ai/offline-model";
import { offlineTranslationLabel } from "@/lib/ai/offline-translate";
import { buildSectionedPayload, sectionVariables } from "@/lib/ai/sections";

/** The page_translate prompt of section `index` of `text`, as a job renders it. */
async function prompt(text: string, glossary: { name: string; aliases: string; translated: string }[], index = 0) {
  const template = await loadTemplate("page_translate");
  const { payload } = buildSectionedPayload({
    text,
    variables: {
      story: { title: "A story" },
      source: { language: "en", name: "English" },
      target: { language: "de", name: "German" },
      page: { number: 1 },
      glossary,
    },
    templateBody: template.body,
    budgetTokens: 16_000,
  });
  return renderTemplate(template, sectionVariables(payload, index));
}

describe("the offline model's stand-in translation", () => {
  it("is labelled once, keeps names and layout, uses the glossary's translated names, and is deterministic", async () => {
    const text = "the Old Mill stood by the river.\n\nMara, the keeper, waited.";
    const p = await prompt(text, [{ name: "Old Mill", aliases: "mill house", translated: "Alte Mühle" }]);
    const answer = offlineText(p);
    expect(answer).toBe(
      `${offlineTranslationLabel("de")} eht Alte Mühle doots yb eht revir.\n\nMara, eht repeek, detiaw.`,
    );
    expect(offlineText(p)).toBe(answer);
  });

  it("keeps a glossary name without a translation as it is, and answers a later section without the label", async () => {
    const long = Array.from(
      { length: 400 },
      (_, i) => `Paragraph ${i} of the tale, where Mara walked by the shore.`,
    ).join("\n\n");
    const later = await prompt(long, [{ name: "Mara", aliases: "", translated: "" }], 1);
    const answer = offlineText(later);
    expect(answer).not.toContain(offlineTranslationLabel("de"));
    expect(answer).toContain("Mara deklaw yb eht erohs.");
  });
});
