import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { codexEntries } from "./memory-schema";
import { pages, stories } from "./schema";

/*
 * Translations (lib/stories/translations/): a translation is a story of its own, linked to its source story in one
 * language; each of its pages is linked to the source page it mirrors and the source version it was translated from.
 */

/** The translation's story → its source story and language: one translation per source and language. */
export const storyTranslations = pgTable(
  "story_translations",
  {
    storyId: uuid("story_id")
      .primaryKey()
      .references(() => stories.id, { onDelete: "cascade" }),
    sourceStoryId: uuid("source_story_id")
      .notNull()
      .references(() => stories.id, { onDelete: "cascade" }),
    /** The translation's language (also its story's language), repeated here for the one-per-language key. */
    language: text("language").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("story_translations_source_language_key").on(t.sourceStoryId, t.language),
    check("story_translations_not_self_check", sql`${t.storyId} <> ${t.sourceStoryId}`),
  ],
);

/**
 * A page of a translation and the source page it mirrors. `sourceVersion` is the source page's version its last
 * translation was made from (null: never translated): older than the source page means stale. `translatedVersion` is
 * the page's own version that translation left: another version means someone edited the translation since, so the
 * next translation arrives as a suggestion instead of overwriting it.
 */
export const translatedPages = pgTable(
  "translated_pages",
  {
    pageId: uuid("page_id")
      .primaryKey()
      .references(() => pages.id, { onDelete: "cascade" }),
    translationId: uuid("translation_id")
      .notNull()
      .references(() => storyTranslations.storyId, { onDelete: "cascade" }),
    /** Null once the source page is gone for good (a page deleted in the editor is only marked deleted and keeps it). */
    sourcePageId: uuid("source_page_id").references(() => pages.id, { onDelete: "set null" }),
    sourceVersion: integer("source_version"),
    translatedVersion: integer("translated_version").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("translated_pages_source_key")
      .on(t.translationId, t.sourcePageId)
      .where(sql`${t.sourcePageId} is not null`),
    index("translated_pages_source_page_idx").on(t.sourcePageId),
    check("translated_pages_versions_check", sql`coalesce(${t.sourceVersion}, 1) >= 1 and ${t.translatedVersion} >= 1`),
  ],
);

/** A codex entry's name in one language: the glossary of a translation into that language. */
export const codexNameTranslations = pgTable(
  "codex_name_translations",
  {
    entryId: uuid("entry_id")
      .notNull()
      .references(() => codexEntries.id, { onDelete: "cascade" }),
    language: text("language").notNull(),
    name: text("name").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.entryId, t.language] }),
    check("codex_name_translations_name_check", sql`char_length(${t.name}) between 1 and 100`),
  ],
);

export type StoryTranslation = typeof storyTranslations.$inferSelect;
export type TranslatedPage = typeof translatedPages.$inferSelect;
