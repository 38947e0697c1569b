import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "@/db";
import { pageSummaries, type PageSummary } from "@/db/memory-schema";
import { pages, type Page } from "@/db/schema";

/**
 * Where a page's summary stands. `stale`: an AI summary of an older version of the page, or an author's summary whose
 * pin was cleared (clearing asks for the AI's); `pinned`: the author's own, kept whatever the page becomes until they
 * clear it; `blank`: a page without text needs none.
 */
export type SummaryNeed = "missing" | "stale" | "fresh" | "pinned" | "blank";

export function summaryNeed(page: Pick<Page, "content" | "version">, summary: PageSummary | undefined): SummaryNeed {
  if (summary?.pinned) return "pinned";
  if (page.content.trim() === "") return "blank";
  if (!summary) return "missing";
  return isStale(summary, page) ? "stale" : "fresh";
}

/** Whether a stored summary should be replaced by a newer AI one (a pinned one never: the author vouches for it). */
export function isStale(
  summary: Pick<PageSummary, "pinned" | "pageVersion" | "source">,
  page: Pick<Page, "version">,
): boolean {
  if (summary.pinned) return false;
  return summary.source === "author" || summary.pageVersion < page.version;
}

export async function summaryOf(db: Db, pageId: string): Promise<PageSummary | undefined> {
  const [row] = await db.select().from(pageSummaries).where(eq(pageSummaries.pageId, pageId)).limit(1);
  return row;
}

export async function summariesOf(db: Db, pageIds: readonly string[]): Promise<Map<string, PageSummary>> {
  if (pageIds.length === 0) return new Map();
  const rows = await db
    .select()
    .from(pageSummaries)
    .where(inArray(pageSummaries.pageId, [...pageIds]));
  return new Map(rows.map((r) => [r.pageId, r]));
}

/** A story's live pages in reading order, with what a summary job needs of them. */
export async function livePagesForSummaries(db: Db, storyId: string): Promise<Page[]> {
  return db
    .select()
    .from(pages)
    .where(and(eq(pages.storyId, storyId), isNull(pages.deletedAt)))
    .orderBy(asc(pages.position));
}
