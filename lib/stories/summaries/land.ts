import { eq, sql } from "drizzle-orm";
import { getDb } from "@/db";
import type { AiJob } from "@/db/ai-schema";
import { pageSummaries } from "@/db/memory-schema";
import { pages } from "@/db/schema";
import { countTokens, GenerationError } from "@/lib/ai";
import { SUMMARY_TARGET } from "../job-kinds";
import { announceSummariesChanged } from "../rollups/schedule";
import { announcePageTextChanged } from "./schedule";
import { normalizeAiSummary } from "./text";

export type SummaryLanding = "stored" | "discarded-stale" | "discarded-pinned" | "skipped";

/** The job type's check of an answer: one that leaves nothing to store fails the job for good, with its reason. */
export function validateSummaryAnswer(text: string): void {
  if (normalizeAiSummary(text) === "") {
    throw new GenerationError("GEN_CONSTRAINT_FAIL", "the answer holds no summary sentence", false);
  }
}

/**
 * Lands a succeeded `page.summarize` job: its summary becomes the page's only if the page is still at the version the
 * job summarised and the author has not pinned a summary of their own. A summary of an older text is discarded (the
 * job keeps its output in the ledger, so the outcome stays visible) and a fresh one is scheduled; a pinned summary is
 * never overwritten. The page row is locked while deciding, so a save cannot slip between the check and the write.
 * Safe to run twice: a repeat finds its own summary stored (or the same reason to discard it).
 */
export async function landPageSummary(job: AiJob): Promise<SummaryLanding> {
  if (job.targetType !== SUMMARY_TARGET || job.status !== "succeeded" || job.outputText === null) return "skipped";
  const text = normalizeAiSummary(job.outputText);
  if (text === "" || job.baseVersion === null) return "skipped";
  const db = await getDb();
  const outcome = await db.transaction(async (tx) => {
    const [page] = await tx.select().from(pages).where(eq(pages.id, job.targetId)).for("update").limit(1);
    if (!page || page.deletedAt) return { landing: "skipped" as const };
    const [current] = await tx.select().from(pageSummaries).where(eq(pageSummaries.pageId, page.id)).limit(1);
    if (current?.jobId === job.id) return { landing: "stored" as const };
    if (current?.pinned) return { landing: "discarded-pinned" as const };
    if (page.version !== job.baseVersion) return { landing: "discarded-stale" as const, page };
    const values = {
      storyId: page.storyId,
      text,
      tokenCount: countTokens(text),
      pageVersion: job.baseVersion,
      source: "ai" as const,
      pinned: false,
      jobId: job.id,
      authorId: null,
      updatedAt: new Date(),
    };
    await tx
      .insert(pageSummaries)
      .values({ pageId: page.id, ...values })
      .onConflictDoUpdate({
        target: pageSummaries.pageId,
        set: values,
        // Belt and braces under the page lock: never over a pinned summary, never over a newer one.
        setWhere: sql`not ${pageSummaries.pinned} and ${pageSummaries.pageVersion} <= ${job.baseVersion}`,
      });
    return { landing: "stored" as const, storyId: page.storyId };
  });
  if (outcome.landing === "stored" && outcome.storyId) {
    // The roll-ups over this page are stale now (debounced per story: Summarize all asks once, after its last page).
    await announceSummariesChanged(outcome.storyId, job.requestedBy);
  }
  if (outcome.landing === "discarded-stale" && outcome.page) {
    // The edit that outdated this summary may have been debounced into this very job (it joined it while active):
    // ask again. The fixed id makes a repeated landing ask once.
    await announcePageTextChanged(outcome.page, job.requestedBy, { id: `${job.id}:outdated` });
  }
  return outcome.landing;
}
