import { and, eq } from "drizzle-orm";
import { storyMembers } from "@/db/schema";
import { ownerMemberRow } from "../members";
import { z } from "zod";
import { getDb, type Db } from "@/db";
import { isUniqueViolation } from "@/db/errors";
import { stories, type Story } from "@/db/schema";
import { storyTranslations, translatedPages, type StoryTranslation } from "@/db/translations-schema";
import { findActiveJob, loadTemplate, resolveModel, submitJob } from "@/lib/ai";
import { AppError } from "@/lib/errors";
import { loadStoryFor } from "../access";
import { requireActor, type Actor } from "../actor";
import { STORY_SCOPE, TRANSLATE_STORY_JOB_TYPE, TRANSLATE_TEMPLATE_KEY, TRANSLATION_TARGET } from "../job-kinds";
import { languageName } from "../languages";
import { limits } from "../limits";
import { admitWithinLimits } from "../spending-policy";
import { idField, parseInput } from "../validation";
import { translationLanguageField } from "./language";
import type { TranslationParentPayload } from "./payload";
import { isStale, linkedPages, mirrorSourcePages } from "./sync";
import { toTranslationRunView, toTranslationView, translationLinkOf, type TranslationView } from "./view";

export const translateStorySchema = z.object({ storyId: idField, language: translationLanguageField });
export const updateTranslationSchema = z.object({ translationId: idField });

export interface TranslationOutcome {
  translation: TranslationView;
  /** False when nothing new started: a run was already going (this request joined it) or nothing was stale. */
  started: boolean;
  message: string;
}

const NOT_A_TRANSLATION = "We couldn't find that translation.";

/** "A story (French)", within the title limit. */
function translationTitle(source: Story, language: string): string {
  const suffix = ` (${languageName(language)})`;
  return source.title.slice(0, Math.max(1, limits.titleMax - suffix.length)) + suffix;
}

/**
 * The pages of the translation to translate now: linked pages whose source changed (or that were never translated).
 * A blank source page needs no model: its still-blank translation page is marked current here.
 */
async function stalePageIds(
  db: Db,
  translationId: string,
  sourcePagesById: Map<string, { version: number; content: string }>,
) {
  const ids: string[] = [];
  for (const { page, link } of await linkedPages(db, translationId)) {
    const from = link?.sourcePageId ? sourcePagesById.get(link.sourcePageId) : undefined;
    if (!link || !from || !isStale(link, from)) continue;
    if (from.content.trim() === "" && page.content === "") {
      await db
        .update(translatedPages)
        .set({ sourceVersion: from.version, updatedAt: new Date() })
        .where(eq(translatedPages.pageId, page.id));
      continue;
    }
    ids.push(page.id);
  }
  return ids;
}

/** Mirrors the source's pages into the translation, then starts a run over its stale pages (if any). */
async function syncAndRun(
  db: Db,
  actor: Actor,
  translation: Story,
  link: StoryTranslation,
): Promise<{ started: boolean; count: number }> {
  const source = await db.transaction((tx) =>
    mirrorSourcePages(tx, { sourceStoryId: link.sourceStoryId, translationId: translation.id, actorId: actor.id }),
  );
  const pageIds = await stalePageIds(db, translation.id, new Map(source.map((p) => [p.id, p])));
  if (pageIds.length === 0) return { started: false, count: 0 };
  const template = await loadTemplate(TRANSLATE_TEMPLATE_KEY);
  const model = resolveModel();
  const payload: TranslationParentPayload = { pageIds, sourceStoryId: link.sourceStoryId, language: link.language };
  const { created } = await submitJob(
    db,
    {
      jobType: TRANSLATE_STORY_JOB_TYPE,
      targetType: TRANSLATION_TARGET,
      targetId: translation.id,
      scopeType: STORY_SCOPE,
      scopeId: translation.id,
      requestedBy: actor.id,
      templateKey: template.key,
      templateVersion: template.version,
      provider: model.provider,
      model: model.modelId,
      instruction: "",
      promptPayload: payload,
      contextLeftOut: [],
      baseVersion: null,
    },
    admitWithinLimits(actor, { jobs: pageIds.length }),
  );
  return { started: created, count: pageIds.length };
}

const pagesWord = (n: number) => `${n} ${n === 1 ? "page" : "pages"}`;

/**
 * Translate story: creates the translation (a story of its own, owned by the source's owner, in `language`) with one
 * blank page per source page, and translates it page by page in the background. Refused, with nothing created: a
 * language outside the list, the source's own language, a story that is itself a translation (translations are always
 * made from the original), and a language the story already has a translation in (Update translation is offered).
 */
export async function translateStory(actorOrNull: Actor | null, input: unknown): Promise<TranslationOutcome> {
  const actor = requireActor(actorOrNull);
  const { storyId, language } = parseInput(translateStorySchema, input);
  const db = await getDb();
  const source = await loadStoryFor(db, actor, "generate", storyId);
  const asTranslation = await translationLinkOf(db, source.id);
  if (asTranslation) {
    throw new AppError(
      "VALIDATION",
      "This story is itself a translation: translate the original story instead, so every translation comes from the original.",
      { fields: { storyId: "This story is a translation." }, sourceStoryId: asTranslation.sourceStoryId },
    );
  }
  if (source.language.toLowerCase() === language.toLowerCase()) {
    const message = `This story is already in ${languageName(language)}: choose another language.`;
    throw new AppError("VALIDATION", message, { fields: { language: message } });
  }
  const existingConflict = (translationId: string) =>
    new AppError(
      "CONFLICT",
      `This story already has a ${languageName(language)} translation: open it and use Update translation.`,
      { translationId },
    );
  const [existing] = await db
    .select({ storyId: storyTranslations.storyId })
    .from(storyTranslations)
    .where(and(eq(storyTranslations.sourceStoryId, source.id), eq(storyTranslations.language, language)))
    .limit(1);
  if (existing) throw existingConflict(existing.storyId);

  let created: { translation: Story; link: StoryTranslation };
  try {
    created = await db.transaction(async (tx) => {
      const [translation] = await tx
        .insert(stories)
        .values({
          ownerId: source.ownerId,
          title: translationTitle(source, language),
          description: source.description,
          language,
        })
        .returning();
      // Its owner is the source's owner, recorded as its member like any story's (db/schema.ts storyMembers).
      await tx.insert(storyMembers).values(ownerMemberRow(translation!.id, source.ownerId));
      const [link] = await tx
        .insert(storyTranslations)
        .values({ storyId: translation!.id, sourceStoryId: source.id, language })
        .returning();
      return { translation: translation!, link: link! };
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const [raced] = await db
      .select({ storyId: storyTranslations.storyId })
      .from(storyTranslations)
      .where(and(eq(storyTranslations.sourceStoryId, source.id), eq(storyTranslations.language, language)));
    throw existingConflict(raced?.storyId ?? "");
  }
  let run: { started: boolean; count: number };
  try {
    run = await syncAndRun(db, actor, created.translation, created.link);
  } catch (error) {
    // Refused (a spent budget, the rate limit): no half-made translation is left behind.
    await db.delete(stories).where(eq(stories.id, created.translation.id));
    throw error;
  }
  return {
    translation: await toTranslationView(db, created.translation, created.link),
    started: run.started,
    message: run.started
      ? `Translating ${pagesWord(run.count)} into ${languageName(language)} in the background.`
      : `The ${languageName(language)} translation is created; the story has nothing to translate yet.`,
  };
}

/**
 * Update translation: mirrors the source's added, removed and reordered pages, then re-translates only the stale
 * pages (a page whose translation was edited by hand gets its new translation as a suggestion). Joins a run already
 * going rather than starting a second.
 */
export async function updateTranslation(actorOrNull: Actor | null, input: unknown): Promise<TranslationOutcome> {
  const actor = requireActor(actorOrNull);
  const { translationId } = parseInput(updateTranslationSchema, input);
  const db = await getDb();
  const translation = await loadStoryFor(db, actor, "generate", translationId, { notFoundMessage: NOT_A_TRANSLATION });
  const link = await translationLinkOf(db, translation.id);
  if (!link) throw new AppError("NOT_FOUND", NOT_A_TRANSLATION);
  // The source's owner decides whether its text is sent to the AI; translation and source share owner and members.
  await loadStoryFor(db, actor, "read", link.sourceStoryId, { notFoundMessage: NOT_A_TRANSLATION });
  const running = await findActiveJob(db, TRANSLATION_TARGET, translation.id);
  if (running) {
    const view = await toTranslationView(db, translation, link);
    return {
      translation: { ...view, run: await toTranslationRunView(db, running) },
      started: false,
      message: "This translation is already being updated: its progress is shown.",
    };
  }
  const run = await syncAndRun(db, actor, translation, link);
  return {
    translation: await toTranslationView(db, translation, link),
    started: run.started,
    message: run.started
      ? `Updating ${pagesWord(run.count)} of the translation in the background.`
      : "The translation is up to date: no page of the source changed since it was translated.",
  };
}
