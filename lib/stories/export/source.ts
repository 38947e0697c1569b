import { and, asc, eq, gt, isNull } from "drizzle-orm";
import type { Db } from "@/db";
import type { CodexEntry } from "@/db/memory-schema";
import { pages, type Story } from "@/db/schema";
import { codexRows } from "../codex/entries";

/** How many pages one database read brings: the most an export holds of the story's text at a time. */
export const EXPORT_PAGE_BATCH = 50;

export interface ExportPage {
  /** 1-based, in reading order. */
  number: number;
  content: string;
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
}

export async function* readPages(db: Db, storyId: string, batch = EXPORT_PAGE_BATCH): AsyncGenerator<ExportPage> {
  let after: string | null = null;
  let number = 0;
  for (;;) {
    const live = and(eq(pages.storyId, storyId), isNull(pages.deletedAt));
    const rows: { position: string; content: string }[] = await db
      .select({ position: pages.position, content: pages.content })
      .from(pages)
      .where(after === null ? live : and(live, gt(pages.position, after)))
      .orderBy(asc(pages.position))
      .limit(batch);
    for (const row of rows) yield { number: ++number, content: row.content };
    if (rows.length < batch) return;
    after = rows.at(-1)!.position;
  }
}

export function databaseSource(db: Db, story: ExportSource["story"], withCodex: boolean): ExportSource {
  return {
    story,
    pages: () => readPages(db, story.id),
    codex: async () => (withCodex ? codexRows(db, story.id) : null),
  };
}

export type { CodexEntry };
