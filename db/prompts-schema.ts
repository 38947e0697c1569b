import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./users-schema";

export const promptVersionStatuses = ["draft", "published", "archived"] as const;
export type PromptVersionStatus = (typeof promptVersionStatuses)[number];
export const promptVersionSources = ["builtin", "admin"] as const;
export type PromptVersionSource = (typeof promptVersionSources)[number];

/**
 * The prompt library: every version of every template family, built-in ones (imported from prompts/ at start) and
 * admins' ones side by side in one numbering per family, so that a job's (template_key, template_version) names
 * exactly one text whichever place it came from. The published row is what new jobs use.
 */
export const promptVersions = pgTable(
  "prompt_versions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    family: text("family").notNull(),
    version: integer("version").notNull(),
    body: text("body").notNull(),
    description: text("description").notNull().default(""),
    status: text("status", { enum: promptVersionStatuses }).notNull().default("draft"),
    source: text("source", { enum: promptVersionSources }).notNull(),
    /** The admin who wrote it; null for a built-in version (or when the account was deleted). */
    authorId: uuid("author_id").references(() => users.id, { onDelete: "set null" }),
    /** The version it was edited from, for the diff and the history. */
    basedOnVersion: integer("based_on_version"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    publishedAt: timestamp("published_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("prompt_versions_family_version_key").on(t.family, t.version),
    // "Latest" is one row: at most one published version per family.
    uniqueIndex("prompt_versions_one_published_key").on(t.family).where(sql`${t.status} = 'published'`),
    check("prompt_versions_status_check", sql`${t.status} in ('draft', 'published', 'archived')`),
    check("prompt_versions_source_check", sql`${t.source} in ('builtin', 'admin')`),
    check("prompt_versions_version_check", sql`${t.version} >= 1`),
    check("prompt_versions_family_check", sql`${t.family} ~ '^[a-z][a-z0-9_]*$'`),
  ],
);

/** An author's own saved instruction, one click beside Generate (the built-in ones live in code). */
export const instructionPresets = pgTable(
  "instruction_presets",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    label: text("label").notNull(),
    instruction: text("instruction").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("instruction_presets_user_idx").on(t.userId, t.createdAt),
    uniqueIndex("instruction_presets_user_label_key").on(t.userId, t.label),
    check("instruction_presets_label_check", sql`char_length(${t.label}) between 1 and 40`),
    check("instruction_presets_instruction_check", sql`char_length(${t.instruction}) between 1 and 500`),
  ],
);

export type PromptVersion = typeof promptVersions.$inferSelect;
export type InstructionPreset = typeof instructionPresets.$inferSelect;
