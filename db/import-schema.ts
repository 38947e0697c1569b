import { sql } from "drizzle-orm";
import {
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { stories } from "./schema";
import { users } from "./users-schema";

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType() {
    return "bytea";
  },
  fromDriver(value) {
    return Buffer.isBuffer(value) ? value : Buffer.from(value);
  },
});

export const importStatuses = ["pending", "running", "succeeded", "failed"] as const;
export type ImportStatus = (typeof importStatuses)[number];
export const importFormats = ["docx", "md", "txt"] as const;
export type ImportFormat = (typeof importFormats)[number];

/**
 * A manuscript import: not an AI job (no model, no prompt, no spending budget), so it has its own row instead of
 * the ai_jobs ledger. The uploaded file waits here until the background job reads it and is cleared when the import
 * ends; the story exists only once the import succeeded (`story_id`).
 */
export const storyImports = pgTable(
  "story_imports",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    requestedBy: uuid("requested_by")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    status: text("status", { enum: importStatuses }).notNull().default("pending"),
    fileName: text("file_name").notNull(),
    format: text("format", { enum: importFormats }).notNull(),
    fileBytes: integer("file_bytes").notNull(),
    /** The upload, until the import ends (then null: a finished import keeps no copy of the manuscript). */
    file: bytea("file"),
    /** The split the author chose (lib/stories/import/schema.ts importOptionsSchema). */
    options: jsonb("options").notNull(),
    /** The story's title and description as read from the document, known once the pages are staged. */
    title: text("title"),
    description: text("description"),
    pagesTotal: integer("pages_total"),
    pagesStaged: integer("pages_staged").notNull().default(0),
    storyId: uuid("story_id").references(() => stories.id, { onDelete: "set null" }),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp("completed_at", { withTimezone: true }),
  },
  (t) => [
    index("story_imports_requested_by_idx").on(t.requestedBy, t.createdAt.desc()),
    check("story_imports_status_check", sql`${t.status} in ('pending', 'running', 'succeeded', 'failed')`),
    check("story_imports_format_check", sql`${t.format} in ('docx', 'md', 'txt')`),
    check("story_imports_story_check", sql`${t.status} <> 'succeeded' or ${t.completedAt} is not null`),
  ],
);

/** An import's pages before they are published: written in batches with progress, moved in one short transaction. */
export const storyImportPages = pgTable(
  "story_import_pages",
  {
    importId: uuid("import_id")
      .notNull()
      .references(() => storyImports.id, { onDelete: "cascade" }),
    ordinal: integer("ordinal").notNull(),
    content: text("content").notNull(),
    tokenCount: integer("token_count").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.importId, t.ordinal] }),
    check("story_import_pages_content_check", sql`char_length(${t.content}) <= 100000`),
  ],
);

export type StoryImport = typeof storyImports.$inferSelect;
