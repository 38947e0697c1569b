import { and, asc, desc, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "@/db";
import { aiJobs, type AiJob } from "@/db/ai-schema";
import { pages, stories, type Story } from "@/db/schema";
import { pageSuggestions } from "@/db/suggestions-schema";
import { storyTranslations, type StoryTranslation } from "@/db/translations-schema";
import { listChildren, settleFanOutParent } from "@/lib/ai";
import { jobFailureMessage } from "@/lib/errors";
import { TRANSLATE_STORY_JOB_TYPE, TRANSLATION_TARGET } from "../job-kinds";
import { languageName } from "../languages";
import { numberPages } from "../page-numbers";
import type { TranslationParentPayload, TranslationSkipReason } from "./payload";
import { isStale, linkedPages } from "./sync";

const skipMessages: Record<TranslationSkipReason, string> = {
  busy: "skipped: the page was being generated",
  blank: "skipped: the source page is blank",
  deleted: "skipped: the source page was deleted",
  current: "skipped: already up to date",
  "too-long": "skipped: too long for the AI model's input budget",
};

/** A translation run (Translate story, Update translation): progress n of m, and what failed or was skipped. */
export interface TranslationRunView {
  id: string;
  status: AiJob["status"];
  createdAt: string;
  completedAt: string | null;
  /** Pages being translated (before the fan-out, the pages asked for). */
  total: number;
  /** Pages whose job has ended (succeeded and landed, failed or cancelled). */
  done: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  active: number;
  failures: { pageId: string; pageNumber: number | null; message: string }[];
  skipped: { pageId: string; pageNumber: number | null; reason: string; message: string }[];
}

/** A translation as its source and itself show it. */
export interface TranslationView {
  /** The translation's own story id. */
  storyId: string;
  sourceStoryId: string;
  title: string;
  language: string;
  languageName: string;
  pageCount: number;
  /** Pages whose source page changed since they were translated (or never translated). */
  stalePages: number;
  /** Translations of edited pages waiting for the author as suggestions. */
  openSuggestions: number;
  /** The latest run. */
  run: TranslationRunView | null;
}

export async function toTranslationRunView(db: Db, parent: AiJob): Promise<TranslationRunView> {
  const payload = parent.promptPayload as TranslationParentPayload;
  const numbers = numberPages(
    await db
      .select({ id: pages.id, position: pages.position })
      .from(pages)
      .where(and(eq(pages.storyId, parent.targetId), isNull(pages.deletedAt)))
      .orderBy(asc(pages.position)),
  );
  const children = await listChildren(db, parent.id);
  // A succeeded page whose text is not landed yet still counts as active, so "done" means it is in the page.
  const count = (status: AiJob["status"]) => children.filter((c) => c.status === status).length;
  const succeeded = children.filter((c) => c.status === "succeeded" && c.landedAt !== null).length;
  const failed = count("failed");
  const cancelled = count("cancelled");
  return {
    id: parent.id,
    status: parent.status,
    createdAt: parent.createdAt.toISOString(),
    completedAt: parent.completedAt?.toISOString() ?? null,
    total: parent.status === "pending" && children.length === 0 ? payload.pageIds.length : children.length,
    done: succeeded + failed + cancelled,
    succeeded,
    failed,
    cancelled,
    active: children.length - succeeded - failed - cancelled,
    failures: children
      .filter((c) => c.status === "failed")
      .map((c) => ({
        pageId: c.targetId,
        pageNumber: numbers.get(c.targetId) ?? null,
        message: jobFailureMessage(c.errorCode, "item"),
      }))
      .sort((a, b) => (a.pageNumber ?? Infinity) - (b.pageNumber ?? Infinity)),
    skipped: (payload.skipped ?? []).map((s) => ({
      pageId: s.targetId,
      pageNumber: numbers.get(s.targetId) ?? null,
      reason: s.reason,
      message: skipMessages[s.reason as TranslationSkipReason] ?? `skipped: ${s.reason}`,
    })),
  };
}

/** The translation's latest run; a running one whose pages have all ended is settled here (a lost event). */
export async function latestRun(db: Db, translationId: string): Promise<TranslationRunView | null> {
  const [latest] = await db
    .select()
    .from(aiJobs)
    .where(
      and(
        eq(aiJobs.targetType, TRANSLATION_TARGET),
        eq(aiJobs.targetId, translationId),
        eq(aiJobs.jobType, TRANSLATE_STORY_JOB_TYPE),
      ),
    )
    .orderBy(desc(aiJobs.createdAt), desc(aiJobs.id))
    .limit(1);
  if (!latest) return null;
  const view = await toTranslationRunView(db, latest);
  if (latest.status === "running" && view.active === 0) {
    const settled = await settleFanOutParent(db, latest.id);
    if (settled) return toTranslationRunView(db, settled);
  }
  return view;
}

export async function toTranslationView(db: Db, translation: Story, link: StoryTranslation): Promise<TranslationView> {
  // The run first: a run read as ended had every page landed before it ended, so the pages read after it agree with
  // it (read the other way round, a page landing in between showed "succeeded" beside a stale page).
  const run = await latestRun(db, translation.id);
  const linked = await linkedPages(db, translation.id);
  const sourceIds = linked.map((l) => l.link?.sourcePageId).filter((id): id is string => !!id);
  const sourceVersions = new Map(
    (sourceIds.length
      ? await db
          .select({ id: pages.id, version: pages.version })
          .from(pages)
          .where(and(inArray(pages.id, sourceIds), isNull(pages.deletedAt)))
      : []
    ).map((p) => [p.id, p.version]),
  );
  const stalePages = linked.filter((l) => {
    const version = l.link?.sourcePageId ? sourceVersions.get(l.link.sourcePageId) : undefined;
    return l.link && version !== undefined && isStale(l.link, { version });
  }).length;
  const openSuggestions = linked.length
    ? (
        await db
          .select({ id: pageSuggestions.id })
          .from(pageSuggestions)
          .where(
            and(
              inArray(
                pageSuggestions.pageId,
                linked.map((l) => l.page.id),
              ),
              eq(pageSuggestions.status, "open"),
            ),
          )
      ).length
    : 0;
  return {
    storyId: translation.id,
    sourceStoryId: link.sourceStoryId,
    title: translation.title,
    language: link.language,
    languageName: languageName(link.language),
    pageCount: linked.length,
    stalePages,
    openSuggestions,
    run,
  };
}

/** The translation link of a story, if it is a translation. */
export async function translationLinkOf(db: Db, storyId: string): Promise<StoryTranslation | undefined> {
  const [link] = await db.select().from(storyTranslations).where(eq(storyTranslations.storyId, storyId)).limit(1);
  return link;
}

/** A source's translations, in the order of their languages' names. */
export async function translationsOfSource(db: Db, sourceStoryId: string): Promise<TranslationView[]> {
  const rows = await db
    .select({ story: stories, link: storyTranslations })
    .from(storyTranslations)
    .innerJoin(stories, eq(stories.id, storyTranslations.storyId))
    .where(eq(storyTranslations.sourceStoryId, sourceStoryId));
  const views = await Promise.all(rows.map((r) => toTranslationView(db, r.story, r.link)));
  return views.sort((a, b) => a.languageName.localeCompare(b.languageName));
}
