import { and, asc, eq, gt, isNotNull, isNull } from "drizzle-orm";
import type { Db } from "@/db";
import { pageIllustrations, type ImageContentType } from "@/db/illustrations-schema";
import type { CodexEntry } from "@/db/memory-schema";
import { pages, type Story } from "@/db/schema";
import { imageStoreOfKind, sniffImage } from "@/lib/ai";
import { log } from "@/lib/log";
import { codexRows } from "../codex/entries";

/** How many pages one database read brings: the most an export holds of the story's text at a time. */
export const EXPORT_PAGE_BATCH = 50;

/** A page's chosen illustration as the pages are read: where its bytes are, not the bytes (fetched one at a time). */
export interface ExportIllustration {
  id: string;
  sceneDescription: string;
  storage: "database" | "s3";
  imageKey: string;
  /** The type recorded when the image was stored (sniffed then); the bytes are sniffed again when read. */
  contentType: ImageContentType;
}

export interface ExportPage {
  /** 1-based, in reading order. */
  number: number;
  content: string;
  /** The page's chosen illustration, when the export includes illustrations and the page has one. */
  illustration: ExportIllustration | null;
}

/** An illustration's bytes with the type they really are (from their magic number, never from a stored claim). */
export interface ExportImage {
  bytes: Uint8Array;
  contentType: ImageContentType;
  width: number;
  height: number;
}

/**
 * What an export reads, as it writes: the story row, its live pages in reading order (keyset batches by position,
 * never the whole story at once) and, when asked for, its codex. No transaction is held while the download streams
 * (PGlite has one connection): a page moved or edited during a long download may be read at its new place.
 */
export interface ExportSource {
  story: Pick<Story, "id" | "title" | "description" | "language">;
  pages(): AsyncIterable<ExportPage>;
  /** The codex entries by kind then name, or null when the export has no codex appendix. */
  codex(): Promise<CodexEntry[] | null>;
  /**
   * One illustration's bytes, read when the writer gets to it; null when they cannot be had (the store is no longer
   * configured, the object is gone, the bytes are not a PNG/JPEG/WebP): the export goes on without that image.
   */
  image(illustration: ExportIllustration): Promise<ExportImage | null>;
}

export const imageExtensions: Record<ImageContentType, string> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/webp": "webp",
};

export async function* readPages(
  db: Db,
  storyId: string,
  withIllustrations = false,
  batch = EXPORT_PAGE_BATCH,
): AsyncGenerator<ExportPage> {
  let after: string | null = null;
  let number = 0;
  for (;;) {
    const live = and(eq(pages.storyId, storyId), isNull(pages.deletedAt));
    const where = after === null ? live : and(live, gt(pages.position, after));
    // At most one chosen illustration per page (a partial unique index), so the join keeps one row per page.
    const rows: { position: string; content: string; illustration: ExportIllustration | null }[] = withIllustrations
      ? await db
          .select({
            position: pages.position,
            content: pages.content,
            illustration: {
              id: pageIllustrations.id,
              sceneDescription: pageIllustrations.sceneDescription,
              storage: pageIllustrations.storage,
              imageKey: pageIllustrations.imageKey,
              contentType: pageIllustrations.contentType,
            },
          })
          .from(pages)
          .leftJoin(
            pageIllustrations,
            and(eq(pageIllustrations.pageId, pages.id), isNotNull(pageIllustrations.chosenAt)),
          )
          .where(where)
          .orderBy(asc(pages.position))
          .limit(batch)
      : (
          await db
            .select({ position: pages.position, content: pages.content })
            .from(pages)
            .where(where)
            .orderBy(asc(pages.position))
            .limit(batch)
        ).map((r) => ({ ...r, illustration: null }));
    for (const row of rows) yield { number: ++number, content: row.content, illustration: row.illustration };
    if (rows.length < batch) return;
    after = rows.at(-1)!.position;
  }
}

/** Whether any live page of the story has a chosen illustration (decides, before the first byte, what md becomes). */
export async function hasChosenIllustrations(db: Db, storyId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: pageIllustrations.id })
    .from(pageIllustrations)
    .innerJoin(pages, eq(pages.id, pageIllustrations.pageId))
    .where(and(eq(pageIllustrations.storyId, storyId), isNotNull(pageIllustrations.chosenAt), isNull(pages.deletedAt)))
    .limit(1);
  return row !== undefined;
}

export async function readIllustrationBytes(
  db: Db,
  storyId: string,
  illustration: ExportIllustration,
): Promise<ExportImage | null> {
  const store = imageStoreOfKind(db, illustration.storage);
  const stored = store ? await store.get(illustration.imageKey) : null;
  const sniffed = stored ? sniffImage(stored.bytes) : null;
  if (!stored || !sniffed) {
    // The export is already streaming: one missing image must not cut the whole book short.
    log("warn", "export left out an illustration it could not read", {
      storyId,
      illustrationId: illustration.id,
      reason: !store ? "storage not configured" : !stored ? "missing" : "not an image",
    });
    return null;
  }
  return { bytes: stored.bytes, ...sniffed };
}

export function databaseSource(
  db: Db,
  story: ExportSource["story"],
  withCodex: boolean,
  withIllustrations = false,
): ExportSource {
  return {
    story,
    pages: () => readPages(db, story.id, withIllustrations),
    codex: async () => (withCodex ? codexRows(db, story.id) : null),
    image: (illustration) => readIllustrationBytes(db, story.id, illustration),
  };
}

export type { CodexEntry };
