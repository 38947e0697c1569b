import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import { generateKeyBetween } from "fractional-indexing";
import type { Db } from "@/db";
import { pageRevisions, pages, type Page } from "@/db/schema";
import { translatedPages, type TranslatedPage } from "@/db/translations-schema";
import type { Tx } from "../pages";

/** A live page of a translation with its link to the source page it mirrors. */
export interface LinkedPage {
  page: Page;
  link: TranslatedPage | null;
}

async function livePages(db: Db | Tx, storyId: string): Promise<Page[]> {
  return db
    .select()
    .from(pages)
    .where(and(eq(pages.storyId, storyId), isNull(pages.deletedAt)))
    .orderBy(asc(pages.position));
}

/** The translation's live pages in order, each with its link (null for a page the translation's author added). */
export async function linkedPages(db: Db | Tx, translationId: string): Promise<LinkedPage[]> {
  const live = await livePages(db, translationId);
  const links = live.length
    ? await db
        .select()
        .from(translatedPages)
        .where(
          inArray(
            translatedPages.pageId,
            live.map((p) => p.id),
          ),
        )
    : [];
  const byPage = new Map(links.map((l) => [l.pageId, l]));
  return live.map((page) => ({ page, link: byPage.get(page.id) ?? null }));
}

/** Whether a linked page needs translating: never translated, or its source page changed since. */
export function isStale(link: Pick<TranslatedPage, "sourceVersion">, source: Pick<Page, "version">): boolean {
  return link.sourceVersion === null || link.sourceVersion < source.version;
}

// A key no fractional index produces ("~" sorts after every digit and letter), unique by the page's id: pages parked
// here while the others move cannot collide with any of them.
const parkedPosition = (pageId: string) => `~${pageId}`;

/**
 * Makes the translation's pages mirror the source's, in one transaction: a source page with no page in the
 * translation gets a blank one (linked, never translated: stale); a translation page whose source page was deleted is
 * deleted too (soft, as in the editor); every linked page takes its source page's position key, so the order is the
 * source's. Pages the translation's author added themselves stay where they are among them. Returns the source's
 * live pages.
 */
export async function mirrorSourcePages(
  tx: Tx,
  args: { sourceStoryId: string; translationId: string; actorId: string },
): Promise<Page[]> {
  const source = await livePages(tx, args.sourceStoryId);
  const sourceById = new Map(source.map((p) => [p.id, p]));
  const current = await linkedPages(tx, args.translationId);
  const linkedSources = new Set<string>();
  const now = new Date();
  const moves: { pageId: string; position: string }[] = [];
  for (const { page, link } of current) {
    if (!link) continue;
    const from = link.sourcePageId ? sourceById.get(link.sourcePageId) : undefined;
    if (!from) {
      await tx.update(pages).set({ deletedAt: now }).where(eq(pages.id, page.id));
      continue;
    }
    linkedSources.add(from.id);
    if (page.position !== from.position) moves.push({ pageId: page.id, position: from.position });
  }
  // A page the translation's author added keeps its place among the mirrored ones; one whose key a source page uses
  // moves just after that source page (fractional keys always have room between two), so the keys stay unique.
  const sourceKeys = source.map((p) => p.position).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const taken = new Set([...sourceKeys, ...current.map((c) => c.page.position)]);
  for (const { page, link } of current) {
    if (link || !sourceKeys.includes(page.position)) continue;
    const next = sourceKeys.find((k) => k > page.position) ?? null;
    let key = generateKeyBetween(page.position, next);
    while (taken.has(key)) key = generateKeyBetween(key, next);
    taken.add(key);
    moves.push({ pageId: page.id, position: key });
  }
  for (const move of moves)
    await tx
      .update(pages)
      .set({ position: parkedPosition(move.pageId) })
      .where(eq(pages.id, move.pageId));
  for (const move of moves) await tx.update(pages).set({ position: move.position }).where(eq(pages.id, move.pageId));
  for (const from of source) {
    if (linkedSources.has(from.id)) continue;
    // A deleted translation page linked to it (deleted by hand, or mirrored away) is replaced, not revived.
    await tx
      .delete(translatedPages)
      .where(and(eq(translatedPages.translationId, args.translationId), eq(translatedPages.sourcePageId, from.id)));
    const [page] = await tx
      .insert(pages)
      .values({ storyId: args.translationId, position: from.position, content: "", version: 1, tokenCount: 0 })
      .returning();
    await tx
      .insert(pageRevisions)
      .values({ pageId: page!.id, version: 1, content: "", source: "human", authorId: args.actorId });
    await tx.insert(translatedPages).values({
      pageId: page!.id,
      translationId: args.translationId,
      sourcePageId: from.id,
      sourceVersion: null,
      translatedVersion: 1,
    });
  }
  return source;
}
