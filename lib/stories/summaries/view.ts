import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "@/db";
import { activeJobStatuses, aiJobs } from "@/db/ai-schema";
import type { PageSummary, PageSummaryWait } from "@/db/memory-schema";
import type { Page } from "@/db/schema";
import { SUMMARY_TARGET } from "../job-kinds";
import type { SummaryNotRefreshedReason } from "./messages";
import { isStale } from "./state";

/** A page's summary as authors and the REST API see it. */
export interface PageSummaryView {
  pageId: string;
  /** Null when the page has no summary yet. */
  text: string | null;
  source: "ai" | "author" | null;
  pinned: boolean;
  /** Older than the page's text (an AI summary) or unpinned by the author: a newer one is on its way or due. */
  stale: boolean;
  /** The page version the summary was written from, and the page's version now. */
  pageVersion: number | null;
  currentPageVersion: number;
  tokenCount: number | null;
  updatedAt: string | null;
  /** The summary job waiting or running for this page, if any ("updating…"). */
  job: { id: string; status: "pending" | "running" } | null;
  /**
   * Why a missing or stale summary is not being refreshed: `budget` — the AI budget of whoever saved the page was
   * used up. It is refreshed once that budget allows again (or by the next edit, or Summarize all). Null otherwise.
   */
  notRefreshedReason: SummaryNotRefreshedReason | null;
}

export function toPageSummaryView(
  page: Pick<Page, "id" | "version">,
  summary: PageSummary | undefined,
  job: { id: string; status: string } | undefined,
  wait?: Pick<PageSummaryWait, "reason"> | undefined,
): PageSummaryView {
  const stale = summary ? isStale(summary, page) : false;
  const due = !summary?.pinned && (summary === undefined || stale);
  return {
    pageId: page.id,
    text: summary?.text ?? null,
    source: summary?.source ?? null,
    pinned: summary?.pinned ?? false,
    stale,
    pageVersion: summary?.pageVersion ?? null,
    currentPageVersion: page.version,
    tokenCount: summary?.tokenCount ?? null,
    updatedAt: summary?.updatedAt.toISOString() ?? null,
    job: job ? { id: job.id, status: job.status as "pending" | "running" } : null,
    // A job on its way makes the reason moot; a fresh summary too (its wait is cleared at the next check).
    notRefreshedReason: wait && !job && due ? wait.reason : null,
  };
}

/** The active summary jobs of these pages (one per page at most: one active job per target). */
export async function activeSummaryJobs(
  db: Db,
  pageIds: readonly string[],
): Promise<Map<string, { id: string; status: string }>> {
  if (pageIds.length === 0) return new Map();
  const rows = await db
    .select({ id: aiJobs.id, status: aiJobs.status, pageId: aiJobs.targetId })
    .from(aiJobs)
    .where(
      and(
        eq(aiJobs.targetType, SUMMARY_TARGET),
        inArray(aiJobs.targetId, [...pageIds]),
        inArray(aiJobs.status, [...activeJobStatuses]),
      ),
    );
  return new Map(rows.map((r) => [r.pageId, r]));
}
