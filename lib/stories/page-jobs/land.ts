import { eq } from "drizzle-orm";
import { getDb, type Db } from "@/db";
import { isUniqueViolation } from "@/db/errors";
import { pages } from "@/db/schema";
import { pageSuggestions } from "@/db/suggestions-schema";
import { getJob } from "@/lib/ai";
import { AppError } from "@/lib/errors";
import { memberCan, storyAccessOf } from "../access";
import { PAGE_TARGET } from "../job-kinds";
import { releaseIllustrationWait } from "../illustrations/after-text";
import { writePageContent } from "../pages";
import { resolutionOf } from "./view";

/** Whether the job's requester is a member who may edit the page's story (not merely an admin passing by). */
async function requesterEditsAsMember(db: Db, requestedBy: string | null, storyId: string): Promise<boolean> {
  if (requestedBy === null) return false;
  const story = await storyAccessOf(db, storyId);
  return story !== undefined && memberCan(requestedBy, "edit", story);
}

/**
 * Lands a succeeded job's text on its page: written as an `ai` revision when the page is still at the version the
 * job started from, otherwise kept as a suggestion for the author, with the reason; an answer identical to the page
 * changes nothing. Safe to run twice (Inngest may repeat a step).
 */
export async function applyPageJobResult(
  jobId: string,
  /** A take the author chose (lib/stories/takes/choose.ts): its target is the take, the page is its set's. */
  options: { chosenTakeOf?: { pageId: string } } = {},
): Promise<"applied" | "suggested" | "unchanged" | "skipped"> {
  const outcome = await landPageJobResult(jobId, options);
  // "With Generate": an illustration waiting for this text starts now that it is on the page.
  if (outcome === "applied" || outcome === "unchanged") {
    const job = await getJob(await getDb(), jobId);
    if (job) await releaseIllustrationWait(await getDb(), options.chosenTakeOf?.pageId ?? job.targetId, job.id);
  }
  return outcome;
}

async function landPageJobResult(
  jobId: string,
  options: { chosenTakeOf?: { pageId: string } },
): Promise<"applied" | "suggested" | "unchanged" | "skipped"> {
  const db = await getDb();
  const job = await getJob(db, jobId);
  const chosen = options.chosenTakeOf;
  if (!job || (!chosen && job.targetType !== PAGE_TARGET) || job.status !== "succeeded" || job.outputText === null)
    return "skipped";
  const already = await resolutionOf(job.id);
  if (already) return already;
  const [page] = await db
    .select()
    .from(pages)
    .where(eq(pages.id, chosen?.pageId ?? job.targetId))
    .limit(1);
  if (!page) return "skipped";
  // A background revision's pages wait for review (lib/stories/background/), and so does a retry started by someone
  // who is not a member of the story (an admin on the job history, who is not looking at the page): the author
  // chooses. Generate pressed in the editor writes directly, whoever pressed it, like Save.
  const pageUnchanged = !page.deletedAt && job.baseVersion !== null && page.version === job.baseVersion;
  // The AI gave the page's own text back: there is nothing to write or review; a record is kept for the ledger.
  if (job.outputText === page.content && !page.deletedAt) {
    await recordSuggestion(db, {
      pageId: page.id,
      jobId: job.id,
      content: job.outputText,
      baseVersion: job.baseVersion ?? page.version,
      reason: "unchanged",
      status: "discarded",
      resolvedAt: new Date(),
    });
    return "unchanged";
  }
  const requesterEdits = job.retryOf === null || (await requesterEditsAsMember(db, job.requestedBy, page.storyId));
  // A chosen take is the author's pick, made on the page: it writes like Generate (a take set's other children never land).
  const direct = job.parentJobId === null || chosen !== undefined;
  if (direct && pageUnchanged && job.baseVersion !== null && requesterEdits) {
    try {
      await writePageContent(db, {
        pageId: page.id,
        content: job.outputText,
        baseVersion: job.baseVersion,
        authorId: job.requestedBy,
        source: "ai",
        jobId: job.id,
      });
      return "applied";
    } catch (error) {
      if (!(error instanceof AppError && error.code === "CONFLICT") && !isUniqueViolation(error)) throw error;
      if (isUniqueViolation(error)) return "applied";
    }
  }
  await recordSuggestion(db, {
    pageId: page.id,
    jobId: job.id,
    content: job.outputText,
    baseVersion: job.baseVersion ?? page.version,
    reason: job.parentJobId !== null && !chosen ? "background" : pageUnchanged ? "review" : "page_changed",
  });
  return "suggested";
}

/** Inserts the job's one suggestion row; a repeated landing finds it there already. */
async function recordSuggestion(db: Db, row: typeof pageSuggestions.$inferInsert): Promise<void> {
  try {
    await db.insert(pageSuggestions).values(row);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
}
