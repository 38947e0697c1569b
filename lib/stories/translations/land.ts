import { and, eq, isNull, lt, or } from "drizzle-orm";
import { getDb, type Db } from "@/db";
import { isUniqueViolation } from "@/db/errors";
import type { AiJob } from "@/db/ai-schema";
import { pages } from "@/db/schema";
import { pageSuggestions } from "@/db/suggestions-schema";
import { translatedPages } from "@/db/translations-schema";
import { GenerationError } from "@/lib/ai";
import { AppError } from "@/lib/errors";
import { PAGE_TARGET } from "../job-kinds";
import { limits } from "../limits";
import { resolutionOf } from "../page-jobs/view";
import { writePageContent, type Tx } from "../pages";
import type { PageTranslationPayload } from "./payload";

/** A translation longer than a page holds fails its page (listed among the run's failures), never cut short. */
export function validateTranslation(text: string): void {
  if (text.length > limits.pageMax) {
    throw new GenerationError(
      "GEN_CONSTRAINT_FAIL",
      `the translation has ${text.length} characters; a page holds at most ${limits.pageMax}`,
      false,
    );
  }
}

/** Records which source version the page's translation now reflects (never moving it back). */
async function markTranslatedFrom(db: Db | Tx, pageId: string, sourceVersion: number, translatedVersion?: number) {
  await db
    .update(translatedPages)
    .set({
      sourceVersion,
      ...(translatedVersion === undefined ? {} : { translatedVersion }),
      updatedAt: new Date(),
    })
    .where(
      and(
        eq(translatedPages.pageId, pageId),
        or(isNull(translatedPages.sourceVersion), lt(translatedPages.sourceVersion, sourceVersion)),
      ),
    );
}

/**
 * Lands a page's translation: written into the translation's page as an `ai` revision when nobody edited the page
 * since the last translation (and since the job started), otherwise kept as a suggestion, so a human edit is never
 * overwritten. Either way the page is no longer stale: it reflects the source version the job translated. Safe to
 * run twice.
 */
export async function landPageTranslation(job: AiJob): Promise<"applied" | "suggested" | "skipped"> {
  const db = await getDb();
  if (job.targetType !== PAGE_TARGET || job.status !== "succeeded" || job.outputText === null) return "skipped";
  const already = await resolutionOf(job.id);
  if (already === "applied") return "applied";
  if (already) return "suggested";
  const { sourceVersion } = job.promptPayload as PageTranslationPayload;
  const [row] = await db
    .select({ page: pages, link: translatedPages })
    .from(pages)
    .innerJoin(translatedPages, eq(translatedPages.pageId, pages.id))
    .where(eq(pages.id, job.targetId))
    .limit(1);
  if (!row || row.page.deletedAt) return "skipped";
  const { page, link } = row;
  const untouched = page.version === link.translatedVersion && page.version === job.baseVersion;
  if (untouched) {
    try {
      await writePageContent(
        db,
        {
          pageId: page.id,
          content: job.outputText,
          baseVersion: page.version,
          authorId: job.requestedBy,
          source: "ai",
          jobId: job.id,
        },
        (tx) => markTranslatedFrom(tx, page.id, sourceVersion, page.version + 1),
      );
      return "applied";
    } catch (error) {
      if (isUniqueViolation(error)) return "applied";
      // Edited in the instant since it was read: it waits as a suggestion like any edited page.
      if (!(error instanceof AppError && error.code === "CONFLICT")) throw error;
    }
  }
  try {
    await db.insert(pageSuggestions).values({
      pageId: page.id,
      jobId: job.id,
      content: job.outputText,
      baseVersion: job.baseVersion ?? page.version,
      reason: "background",
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  await markTranslatedFrom(db, page.id, sourceVersion);
  return "suggested";
}
