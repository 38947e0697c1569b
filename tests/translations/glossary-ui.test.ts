import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";
import { TranslationGlossary } from "@/components/stories/translation-glossary";
import { makeActor, makeStory } from "../helpers/fixtures";
import { useTestDb } from "../helpers/db";

// The translated name of a codex entry, per language, set on a translation's panel (issue 15, "Names stay
// consistent"): what the panel is given, who may change it, and how it renders.
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
// No engine here: the translation's run stays pending.
vi.mock("@/lib/ai/jobs/queue", () => ({ enqueueJob: vi.fn(async () => {}), requestJobCancel: vi.fn(async () => {}) }));
vi.mock("@/app/actions/translations", () => ({ setCodexNameTranslationAction: vi.fn() }));

useTestDb();

const { createCodexEntry, listTranslations, setCodexNameTranslation, translateStory } = await import("@/lib/stories");

describe("a translation's glossary: the source's codex names in its language", () => {
  it("lists the source's names with their names in the translation's language, editable by the source's editors", async () => {
    const owner = await makeActor();
    const { story } = await makeStory(owner, ["The Old Mill stood still. Mara waited."]);
    const mill = await createCodexEntry(owner, { storyId: story.id, kind: "place", name: "Old Mill" });
    const mara = await createCodexEntry(owner, { storyId: story.id, kind: "character", name: "Mara" });
    const { translation } = await translateStory(owner, { storyId: story.id, language: "fr" });

    const before = await listTranslations(owner, { storyId: translation.storyId });
    expect(before.glossary).toEqual({
      canEdit: true,
      entries: expect.arrayContaining([
        { entryId: mill.id, name: "Old Mill", aliases: "", translated: "" },
        { entryId: mara.id, name: "Mara", aliases: "", translated: "" },
      ]),
    });

    await setCodexNameTranslation(owner, { entryId: mill.id, language: "fr", name: "Vieux Moulin" });
    await setCodexNameTranslation(owner, { entryId: mill.id, language: "de", name: "Alte Mühle" });
    const after = await listTranslations(owner, { storyId: translation.storyId });
    expect(after.glossary!.entries.find((e) => e.entryId === mill.id)!.translated).toBe("Vieux Moulin");

    // The source itself carries no glossary: its translations each have theirs.
    expect((await listTranslations(owner, { storyId: story.id })).glossary).toBeNull();

    // The panel shows each name with its translation in an input; Save only for those who may edit the source.
    const html = renderToStaticMarkup(
      createElement(TranslationGlossary, { glossary: after.glossary!, language: "fr", languageName: "French" }),
    );
    expect(html).toContain('data-testid="translation-glossary"');
    expect(html).toContain("Names in French (2)");
    expect(html).toMatch(/<label[^>]*>Old Mill<\/label>/);
    expect(html).toMatch(
      /data-testid="glossary-name"[^>]*value="Vieux Moulin"|value="Vieux Moulin"[^>]*data-testid="glossary-name"/,
    );
    expect(html).toContain('data-testid="glossary-save"');
    const readOnly = renderToStaticMarkup(
      createElement(TranslationGlossary, {
        glossary: { ...after.glossary!, canEdit: false },
        language: "fr",
        languageName: "French",
      }),
    );
    expect(readOnly).not.toContain('data-testid="glossary-save"');
    expect(readOnly).toContain("Only those who may edit the source can change them.");
  });
});
