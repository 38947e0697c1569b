import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { pages, stories } from "@/db/schema";
import { pageSuggestions } from "@/db/suggestions-schema";
import { storyTranslations, translatedPages } from "@/db/translations-schema";
import { createJobTypeRegistry } from "@/lib/ai/job-types";
import { createRunAiChildJob } from "@/lib/ai/functions/run-ai-child-job";
import { settleFanOutParentOnFailure } from "@/lib/ai/functions/settle-fan-out-parent";
import { resolveModel } from "@/lib/ai/models";
import { createOfflineModel } from "@/lib/ai/offline-model";
import { offlineTranslationLabel } from "@/lib/ai/offline-translate";
import {
  addPage,
  cancelTranslation,
  createCodexEntry,
  deletePage,
  getTranslationPair,
  listPages,
  listTranslations,
  movePage,
  savePage,
  setCodexNameTranslation,
  translateStory,
  updateTranslation,
  type Actor,
  type TranslationView,
} from "@/lib/stories";
import { applyPageJobResultFunction } from "@/lib/stories/functions/apply-page-job-result";
import { translateStoryFunction } from "@/lib/stories/functions/translate-story";
import { storyJobTypes } from "@/lib/stories/job-types";
import { budgetRefusalForChild } from "@/lib/stories/spending-policy";
import { useEngine, waitFor } from "../engine/harness";
import { expectAppError, makeActor, makeStory, snapshot } from "../helpers/fixtures";

const offline = createOfflineModel({ msPerWord: 0 });
/** While set, every model call waits for it: a run held mid-way, to be cancelled. */
let gate: Promise<void> | null = null;
/** Pages whose text contains this fail (the model throws a non-retriable error). */
let failOn: string | null = null;
let calls = 0;
const model = {
  ...offline,
  doStream: async (options: Parameters<typeof offline.doStream>[0]) => {
    calls += 1;
    if (gate) await gate;
    const prompt = JSON.stringify(options.prompt);
    if (failOn && prompt.includes(failOn)) throw Object.assign(new Error("bad request"), { statusCode: 400 });
    return offline.doStream(options);
  },
} as typeof offline;

const t = useEngine(() => [
  createRunAiChildJob({
    jobTypes: createJobTypeRegistry(storyJobTypes),
    model: () => ({ ...resolveModel(), model }),
    admit: budgetRefusalForChild,
  }),
  applyPageJobResultFunction,
  translateStoryFunction,
  settleFanOutParentOnFailure,
]);

async function settled(actor: Actor, translationId: string): Promise<TranslationView> {
  return waitFor(
    async () => {
      const { translation } = await listTranslations(actor, { storyId: translationId });
      const run = translation?.run;
      return run && ["succeeded", "failed", "cancelled"].includes(run.status) ? translation : null;
    },
    { timeoutMs: 40_000, what: "the translation run to end" },
  );
}

async function texts(actor: Actor, storyId: string) {
  return (await listPages(actor, { storyId })).map((p) => p.content);
}

const label = offlineTranslationLabel("fr");

/** A refusal with its code and a message that says why. */
async function refused(promise: Promise<unknown>, code: Parameters<typeof expectAppError>[1], message?: RegExp) {
  const error = await expectAppError(promise, code);
  if (message) expect(`${error.message} ${JSON.stringify(error.details ?? {})}`).toMatch(message);
}

// Background runs on a shared, loaded machine: generous time, no wall-clock assertions.
describe("translations", { timeout: 120_000 }, () => {
  it("creates a linked translation owned by the source's owner and translates every page in the background", async () => {
    const author = await makeActor();
    const { story, pages: sourcePages } = await makeStory(author, [
      "the cat sat on Mara's mat.",
      "",
      "a dog ran home.",
    ]);
    const outcome = await translateStory(author, { storyId: story.id, language: "FR" });
    expect(outcome.started).toBe(true);
    expect(outcome.translation).toMatchObject({ language: "fr", languageName: "French", pageCount: 3 });
    const translationId = outcome.translation.storyId;
    const [row] = await t.db().select().from(stories).where(eq(stories.id, translationId));
    expect(row).toMatchObject({ ownerId: author.id, language: "fr", title: "A story (French)" });

    const done = await settled(author, translationId);
    // The blank page needs no model: 2 of 2 pages translated, nothing stale.
    expect(done.run).toMatchObject({ status: "succeeded", total: 2, done: 2, succeeded: 2, failed: 0, failures: [] });
    expect(done.stalePages).toBe(0);
    expect(await texts(author, translationId)).toEqual([
      `${label} eht tac tas no Mara's tam.`,
      "",
      `${label} a god nar emoh.`,
    ]);

    const links = await t.db().select().from(translatedPages).where(eq(translatedPages.translationId, translationId));
    expect(new Set(links.map((l) => l.sourcePageId))).toEqual(new Set(sourcePages.map((p) => p.id)));
    for (const link of links) expect(link.sourceVersion).toBe(1);

    // Source and translation link to each other.
    const fromSource = await listTranslations(author, { storyId: story.id });
    expect(fromSource.translations.map((x) => x.storyId)).toEqual([translationId]);
    const fromTranslation = await listTranslations(author, { storyId: translationId });
    expect(fromTranslation.source).toMatchObject({ storyId: story.id, title: "A story" });

    // Side by side: page 1 of the translation beside its source page.
    const pair = await getTranslationPair(author, { translationId, pageNumber: 1 });
    expect(pair).toMatchObject({
      pageCount: 3,
      source: { pageId: sourcePages[0]!.id, content: "the cat sat on Mara's mat." },
      translation: { stale: false },
    });
  });

  it("marks changed source pages stale and Update re-translates only them; a hand-edited page gets a suggestion", async () => {
    const author = await makeActor();
    const { story, pages: src } = await makeStory(author, ["one red apple.", "two green pears.", "three ripe plums."]);
    const { translation } = await translateStory(author, { storyId: story.id, language: "de" });
    await settled(author, translation.storyId);
    const translated = await listPages(author, { storyId: translation.storyId });

    // The author edits page 2 of the translation by hand, then the source's pages 2 and 3 change.
    await savePage(author, {
      pageId: translated[1]!.id,
      content: "Meine Birnen.",
      baseVersion: translated[1]!.version,
    });
    await savePage(author, { pageId: src[1]!.id, content: "two yellow pears.", baseVersion: src[1]!.version });
    await savePage(author, { pageId: src[2]!.id, content: "three sour plums.", baseVersion: src[2]!.version });
    const before = (await listTranslations(author, { storyId: translation.storyId })).translation!;
    expect(before.stalePages).toBe(2);
    expect(
      (await getTranslationPair(author, { translationId: translation.storyId, pageNumber: 1 })).translation.stale,
    ).toBe(false);
    expect(
      (await getTranslationPair(author, { translationId: translation.storyId, pageNumber: 3 })).translation.stale,
    ).toBe(true);

    const callsBefore = calls;
    const update = await updateTranslation(author, { translationId: translation.storyId });
    expect(update.started).toBe(true);
    const done = await settled(author, translation.storyId);
    expect(done.run).toMatchObject({ status: "succeeded", total: 2, succeeded: 2 });
    expect(calls - callsBefore).toBe(2);
    expect(done.stalePages).toBe(0);
    const label = offlineTranslationLabel("de");
    // Page 1 untouched; page 2 keeps the author's text, its new translation waits; page 3 re-translated in place.
    expect(await texts(author, translation.storyId)).toEqual([
      `${label} eno der elppa.`,
      "Meine Birnen.",
      `${label} eerht ruos smulp.`,
    ]);
    const open = await t
      .db()
      .select()
      .from(pageSuggestions)
      .where(and(eq(pageSuggestions.pageId, translated[1]!.id), eq(pageSuggestions.status, "open")));
    expect(open.map((s) => s.content)).toEqual([`${label} owt wolley sraep.`]);
    expect(done.openSuggestions).toBe(1);

    // Nothing stale: Update starts nothing.
    const again = await updateTranslation(author, { translationId: translation.storyId });
    expect(again.started).toBe(false);
    expect(again.message).toMatch(/up to date/);
  });

  it("mirrors added, removed and reordered source pages; new pages arrive stale", async () => {
    const author = await makeActor();
    const { story, pages: src } = await makeStory(author, ["alpha page.", "beta page.", "gamma page."]);
    const { translation } = await translateStory(author, { storyId: story.id, language: "es" });
    await settled(author, translation.storyId);
    await deletePage(author, { pageId: src[0]!.id });
    await movePage(author, { pageId: src[2]!.id, direction: "up" });
    await addPage(author, { storyId: story.id, content: "delta page." });
    const update = await updateTranslation(author, { translationId: translation.storyId });
    // Only the new page is translated.
    expect(update.translation.run).toMatchObject({ total: 1 });
    await settled(author, translation.storyId);
    const label = offlineTranslationLabel("es");
    expect(await texts(author, translation.storyId)).toEqual([
      `${label} ammag egap.`,
      `${label} ateb egap.`,
      `${label} atled egap.`,
    ]);
  });

  it("translates a page near the 100,000-character limit in sections and reassembles it whole", async () => {
    const author = await makeActor();
    const paragraph = `${"the quiet river ran past the mill and the old stone bridge ".repeat(15).trim()}.`;
    let text = "";
    while (text.length + paragraph.length + 2 < 99_900) text += (text ? "\n\n" : "") + paragraph;
    expect(text.length).toBeGreaterThan(99_000);
    const { story } = await makeStory(author, [text]);
    const { translation } = await translateStory(author, { storyId: story.id, language: "it" });
    const [child] = await waitFor(
      async () => {
        const rows = await t.db().select().from(aiJobs).where(eq(aiJobs.jobType, "page.translate"));
        const mine = rows.filter((r) => r.scopeId === translation.storyId);
        return mine.length ? mine : null;
      },
      { what: "the page's translation job" },
    );
    const sections = (child!.promptPayload as { textSections: unknown[] }).textSections.length;
    expect(sections).toBeGreaterThan(1);
    await settled(author, translation.storyId);
    const [translated] = await texts(author, translation.storyId);
    const label = offlineTranslationLabel("it");
    const expected = `${label} ${text.replace(/\p{L}+/gu, (w) => [...w].reverse().join(""))}`;
    // Nothing cut: every paragraph is there, in order, once; the label once at the top.
    expect(translated).toBe(expected);
    expect(translated!.split(label)).toHaveLength(2);
  });

  it("uses codex entries as a glossary, with the translated name for the language", async () => {
    const author = await makeActor();
    const { story } = await makeStory(author, ["the Old Mill stood by Mara."]);
    const entry = await createCodexEntry(author, { storyId: story.id, kind: "place", name: "Old Mill" });
    await setCodexNameTranslation(author, { entryId: entry.id, language: "fr", name: "Vieux Moulin" });
    const { translation } = await translateStory(author, { storyId: story.id, language: "fr" });
    await settled(author, translation.storyId);
    expect(await texts(author, translation.storyId)).toEqual([`${label} eht Vieux Moulin doots yb Mara.`]);
    const [child] = await t
      .db()
      .select()
      .from(aiJobs)
      .where(and(eq(aiJobs.jobType, "page.translate"), eq(aiJobs.scopeId, translation.storyId)));
    expect(JSON.stringify(child!.promptPayload)).toContain("Vieux Moulin");
  });

  it("lists a page that failed and can be cancelled; the pages not finished stay stale", async () => {
    const author = await makeActor();
    const { story } = await makeStory(author, ["first fine page.", "second POISON page.", "third fine page."]);
    failOn = "POISON";
    try {
      const { translation } = await translateStory(author, { storyId: story.id, language: "nl" });
      const done = await settled(author, translation.storyId);
      // The run ends when its pages have; the page that failed is listed, and stays stale for the next Update.
      expect(done.run).toMatchObject({ status: "succeeded", total: 3, done: 3, succeeded: 2, failed: 1 });
      expect(done.run!.failures).toEqual([expect.objectContaining({ pageNumber: 2 })]);
      expect(done.stalePages).toBe(1);
    } finally {
      failOn = null;
    }

    let open!: () => void;
    gate = new Promise((resolve) => {
      open = resolve;
    });
    try {
      const { story: other } = await makeStory(author, ["one.", "two.", "three.", "four."]);
      const { translation } = await translateStory(author, { storyId: other.id, language: "nl" });
      await waitFor(async () => (calls > 0 ? true : null), { what: "a call" });
      const cancelled = await cancelTranslation(author, { translationId: translation.storyId });
      expect(cancelled.run?.status).toBe("cancelled");
      open();
      const done = await settled(author, translation.storyId);
      expect(done.run!.status).toBe("cancelled");
      expect(done.stalePages).toBeGreaterThan(0);
    } finally {
      open();
      gate = null;
    }
  });

  it("refuses bad requests with clear errors and creates nothing", async () => {
    const author = await makeActor();
    const { story } = await makeStory(author, ["a page."]);
    const before = await snapshot();
    await refused(translateStory(author, { storyId: story.id, language: "xx-nope-123456789" }), "VALIDATION");
    await refused(translateStory(author, { storyId: story.id, language: "tlh" }), "VALIDATION", /not supported/);
    await refused(translateStory(author, { storyId: story.id, language: "en" }), "VALIDATION", /already in English/);
    expect(await snapshot()).toEqual(before);

    const { translation } = await translateStory(author, { storyId: story.id, language: "pt-BR" });
    await settled(author, translation.storyId);
    const after = await snapshot();
    await refused(translateStory(author, { storyId: story.id, language: "pt-br" }), "CONFLICT", /Update translation/);
    await refused(
      translateStory(author, { storyId: translation.storyId, language: "en" }),
      "VALIDATION",
      /itself a translation/,
    );
    await refused(updateTranslation(author, { translationId: story.id }), "NOT_FOUND");
    expect(await snapshot()).toEqual(after);
    const links = await t.db().select().from(storyTranslations).where(eq(storyTranslations.sourceStoryId, story.id));
    expect(links).toHaveLength(1);

    // Another author: the story does not exist for them.
    const stranger = await makeActor();
    await refused(translateStory(stranger, { storyId: story.id, language: "fr" }), "NOT_FOUND");
    await refused(updateTranslation(stranger, { translationId: translation.storyId }), "NOT_FOUND");
    await refused(cancelTranslation(stranger, { translationId: translation.storyId }), "NOT_FOUND");
    await refused(getTranslationPair(stranger, { translationId: translation.storyId }), "NOT_FOUND");
    await refused(listTranslations(stranger, { storyId: story.id }), "NOT_FOUND");
    const [page] = await t.db().select().from(pages).where(eq(pages.storyId, story.id));
    expect(page).toBeDefined();
  });
});
