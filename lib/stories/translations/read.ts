import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db";
import { pages, stories } from "@/db/schema";
import { cancelFanOutRun, findActiveJob } from "@/lib/ai";
import { AppError } from "@/lib/errors";
import { can, loadStoryFor, storyAccessOf } from "../access";
import { requireActor, type Actor } from "../actor";
import { TRANSLATION_TARGET } from "../job-kinds";
import { languageName } from "../languages";
import { idField, parseInput } from "../validation";
import { glossaryFor, type GlossaryEntry } from "./glossary";
import { isStale, linkedPages } from "./sync";
import { toTranslationView, translationLinkOf, translationsOfSource, type TranslationView } from "./view";

const NOT_A_TRANSLATION = "We couldn't find that translation.";

export interface StoryTranslations {
  /** When the story is a translation: its source (null when the reader may not see it). */
  source: { storyId: string; title: string; language: string; languageName: string } | null;
  /** When the story is a translation: itself as a translation. */
  translation: TranslationView | null;
  /** When the story is an original: its translations. */
  translations: TranslationView[];
  /**
   * When the story is a translation and its source is readable: the source's codex names with their names in this
   * language (set with setCodexNameTranslation), and whether the reader may set them (`edit` on the source).
   */
  glossary: { entries: GlossaryEntry[]; canEdit: boolean } | null;
}

/** How a story links to the others: its translations, or — for a translation — its source and its own state. */
export async function listTranslations(actorOrNull: Actor | null, input: unknown): Promise<StoryTranslations> {
  const actor = requireActor(actorOrNull);
  const { storyId } = parseInput(z.object({ storyId: idField }), input);
  const db = await getDb();
  const story = await loadStoryFor(db, actor, "read", storyId);
  const link = await translationLinkOf(db, story.id);
  if (!link)
    return { source: null, translation: null, translations: await translationsOfSource(db, story.id), glossary: null };
  const [source] = await db.select().from(stories).where(eq(stories.id, link.sourceStoryId)).limit(1);
  // With its members: an editor or reader of the source sees it too (a bare row answers for its owner only).
  const readable = source ? await storyAccessOf(db, source.id) : undefined;
  const sourceVisible = readable !== undefined && can(actor, "read", readable);
  return {
    source:
      source && sourceVisible
        ? {
            storyId: source.id,
            title: source.title,
            language: source.language,
            languageName: languageName(source.language),
          }
        : null,
    translation: await toTranslationView(db, story, link),
    translations: [],
    glossary:
      source && sourceVisible
        ? { entries: await glossaryFor(db, source.id, link.language), canEdit: can(actor, "edit", readable!) }
        : null,
  };
}

/** Cancels the translation's running run: pages not finished yet are cancelled, translated ones stay. */
export async function cancelTranslation(actorOrNull: Actor | null, input: unknown): Promise<TranslationView> {
  const actor = requireActor(actorOrNull);
  const { translationId } = parseInput(z.object({ translationId: idField }), input);
  const db = await getDb();
  const translation = await loadStoryFor(db, actor, "generate", translationId, { notFoundMessage: NOT_A_TRANSLATION });
  const link = await translationLinkOf(db, translation.id);
  if (!link) throw new AppError("NOT_FOUND", NOT_A_TRANSLATION);
  const running = await findActiveJob(db, TRANSLATION_TARGET, translation.id);
  if (running) await cancelFanOutRun(db, running.id);
  return toTranslationView(db, translation, link);
}

export interface TranslationPair {
  pageNumber: number;
  pageCount: number;
  source: { pageId: string; content: string; version: number } | null;
  translation: { pageId: string; content: string; version: number; stale: boolean };
}

/** Page `pageNumber` of a translation beside the source page it mirrors: the side-by-side view. */
export async function getTranslationPair(actorOrNull: Actor | null, input: unknown): Promise<TranslationPair> {
  const actor = requireActor(actorOrNull);
  const { translationId, pageNumber } = parseInput(
    z.object({ translationId: idField, pageNumber: z.coerce.number().int().min(1).default(1) }),
    input,
  );
  const db = await getDb();
  const translation = await loadStoryFor(db, actor, "read", translationId, { notFoundMessage: NOT_A_TRANSLATION });
  const link = await translationLinkOf(db, translation.id);
  if (!link) throw new AppError("NOT_FOUND", NOT_A_TRANSLATION);
  const linked = await linkedPages(db, translation.id);
  const entry = linked[pageNumber - 1];
  if (!entry) throw new AppError("NOT_FOUND", `The translation has no page ${pageNumber}.`);
  const [from] = entry.link?.sourcePageId
    ? await db
        .select()
        .from(pages)
        .where(and(eq(pages.id, entry.link.sourcePageId), isNull(pages.deletedAt)))
        .limit(1)
    : [];
  const [source] = await db.select().from(stories).where(eq(stories.id, link.sourceStoryId)).limit(1);
  const visible = from && source && can(actor, "read", source);
  return {
    pageNumber,
    pageCount: linked.length,
    source: visible ? { pageId: from.id, content: from.content, version: from.version } : null,
    translation: {
      pageId: entry.page.id,
      content: entry.page.content,
      version: entry.page.version,
      stale: !!(entry.link && from && isStale(entry.link, from)),
    },
  };
}
