import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "@/db";
import { pages } from "@/db/schema";

/**
 * Page numbers as authors see them: 1-based, among the story's live (not deleted) pages in reading order. A deleted
 * page has no number. The one place that numbers pages; everything that shows "page 3" asks here.
 */
export function numberPages(ordered: readonly { id: string }[]): Map<string, number> {
  return new Map(ordered.map((page, index) => [page.id, index + 1]));
}

/** The numbers of the given pages (from any stories); deleted or missing pages are absent from the map. */
export async function pageNumbersOf(db: Db, pageIds: readonly string[]): Promise<Map<string, number>> {
  if (pageIds.length === 0) return new Map();
  const storyIds = db
    .selectDistinct({ storyId: pages.storyId })
    .from(pages)
    .where(inArray(pages.id, [...pageIds]));
  const live = await db
    .select({ id: pages.id, storyId: pages.storyId })
    .from(pages)
    .where(and(inArray(pages.storyId, storyIds), isNull(pages.deletedAt)))
    .orderBy(asc(pages.storyId), asc(pages.position));
  const byStory = new Map<string, { id: string }[]>();
  for (const page of live) {
    const ordered = byStory.get(page.storyId) ?? [];
    ordered.push(page);
    byStory.set(page.storyId, ordered);
  }
  const numbers = new Map<string, number>();
  for (const ordered of byStory.values()) for (const [id, n] of numberPages(ordered)) numbers.set(id, n);
  return numbers;
}

/** The numbers of every live page of one story. */
export async function storyPageNumbers(db: Db, storyId: string): Promise<Map<string, number>> {
  const ordered = await db
    .select({ id: pages.id })
    .from(pages)
    .where(and(eq(pages.storyId, storyId), isNull(pages.deletedAt)))
    .orderBy(asc(pages.position));
  return numberPages(ordered);
}
