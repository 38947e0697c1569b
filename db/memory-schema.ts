import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { aiJobs } from "./ai-schema";
import { pages, stories } from "./schema";
import { users } from "./users-schema";

/*
 * Story memory: what lets a prompt hold a story of any length. Page summaries stand in for pages far from the one
 * being written; codex entries carry the facts (characters, places, ...) that must not be forgotten. Token counts are
 * stored with each text (recomputed when it changes) so that assembling a prompt adds numbers instead of tokenizing.
 */

export const summarySources = ["ai", "author"] as const;
export type SummarySource = (typeof summarySources)[number];

/**
 * One current summary per page. `pageVersion` is the page version it summarises: older than the page means stale
 * (refreshed in the background) unless the author pinned it, which keeps it until they clear it.
 */
export const pageSummaries = pgTable(
  "page_summaries",
  {
    pageId: uuid("page_id")
      .primaryKey()
      .references(() => pages.id, { onDelete: "cascade" }),
    storyId: uuid("story_id")
      .notNull()
      .references(() => stories.id, { onDelete: "cascade" }),
    text: text("text").notNull(),
    tokenCount: integer("token_count").notNull(),
    pageVersion: integer("page_version").notNull(),
    source: text("source", { enum: summarySources }).notNull(),
    pinned: boolean("pinned").notNull().default(false),
    /** The summary job that wrote it (null for the author's own). */
    jobId: uuid("job_id").references(() => aiJobs.id, { onDelete: "set null" }),
    authorId: uuid("author_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("page_summaries_story_idx").on(t.storyId),
    check("page_summaries_text_check", sql`char_length(${t.text}) between 1 and 2000`),
    check("page_summaries_tokens_check", sql`${t.tokenCount} >= 0`),
    check("page_summaries_version_check", sql`${t.pageVersion} >= 1`),
    check("page_summaries_source_check", sql`${t.source} in ('ai', 'author')`),
    // Only the author pins; an AI summary is always replaceable.
    check("page_summaries_pinned_check", sql`not ${t.pinned} or ${t.source} = 'author'`),
  ],
);

/**
 * A stored roll-up: the AI's summary of an aligned run of consecutive pages of a story (lib/ai/context/rollups.ts):
 * level 1 covers 8 pages and is written from their summaries, level L covers 8 · 2^(L-1) pages and is written from its
 * two halves' roll-ups. `sourceHash` is the fingerprint of the summaries under the run when it was written: the
 * context uses a roll-up only while it equals the run's current fingerprint, and the stand-in otherwise. Its id is the
 * run's job target id (derived from the story and the run), so the ledger's one active job per target is per run.
 */
export const storyRollups = pgTable(
  "story_rollups",
  {
    id: uuid("id").primaryKey(),
    storyId: uuid("story_id")
      .notNull()
      .references(() => stories.id, { onDelete: "cascade" }),
    /** First page of the run, 0-based position among the story's live pages. */
    start: integer("start").notNull(),
    size: integer("size").notNull(),
    level: integer("level").notNull(),
    text: text("text").notNull(),
    tokenCount: integer("token_count").notNull(),
    sourceHash: text("source_hash").notNull(),
    /** The roll-up job that wrote it. */
    jobId: uuid("job_id").references(() => aiJobs.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("story_rollups_run_key").on(t.storyId, t.start, t.size),
    check("story_rollups_level_check", sql`${t.level} between 1 and 24`),
    // The run is fixed by its level and aligned to its size: the same run recurs from one prompt to the next.
    check("story_rollups_size_check", sql`${t.size} = (8 << (${t.level} - 1))`),
    check("story_rollups_start_check", sql`${t.start} >= 0 and ${t.start} % ${t.size} = 0`),
    check("story_rollups_text_check", sql`char_length(${t.text}) between 1 and 4000`),
    check("story_rollups_tokens_check", sql`${t.tokenCount} >= 0`),
    check("story_rollups_source_hash_check", sql`${t.sourceHash} ~ '^[0-9a-f]{64}$'`),
  ],
);

/**
 * A page whose automatic summary was not refreshed because the payer's spending budget was used up: the page shows
 * why its summary is stale, and the summary is written once the payer's budget allows it again (the sweep in
 * lib/stories/summaries/waits.ts), at the next edit or by Summarize all. One row per page: the latest such skip.
 */
export const summaryWaitReasons = ["budget"] as const;
export const pageSummaryWaits = pgTable(
  "page_summary_waits",
  {
    pageId: uuid("page_id")
      .primaryKey()
      .references(() => pages.id, { onDelete: "cascade" }),
    storyId: uuid("story_id")
      .notNull()
      .references(() => stories.id, { onDelete: "cascade" }),
    /** The page version whose summary waits. */
    pageVersion: integer("page_version").notNull(),
    reason: text("reason", { enum: summaryWaitReasons }).notNull(),
    /** Who pays for the summary when it is written (whoever saved the page). */
    payerId: uuid("payer_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("page_summary_waits_created_idx").on(t.createdAt),
    check("page_summary_waits_reason_check", sql`${t.reason} in ('budget')`),
  ],
);
export type PageSummaryWait = typeof pageSummaryWaits.$inferSelect;

export const codexKinds = ["character", "place", "thing", "lore", "other"] as const;
export type CodexKind = (typeof codexKinds)[number];
export const codexActivations = ["always", "mentioned", "never"] as const;
export type CodexActivation = (typeof codexActivations)[number];

export const codexEntries = pgTable(
  "codex_entries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    storyId: uuid("story_id")
      .notNull()
      .references(() => stories.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: codexKinds }).notNull(),
    name: text("name").notNull(),
    aliases: text("aliases").array().notNull().default(sql`'{}'::text[]`),
    description: text("description").notNull().default(""),
    /**
     * How the character or place looks, for illustrations: the same text goes into every image prompt that mentions
     * the entry, which is what keeps a character looking the same from page to page. Not part of text prompts.
     */
    appearance: text("appearance").notNull().default(""),
    activation: text("activation", { enum: codexActivations }).notNull().default("mentioned"),
    /** Tokens of the entry as it appears in a prompt (name, aliases, description). */
    tokenCount: integer("token_count").notNull().default(0),
    version: integer("version").notNull().default(1),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("codex_entries_story_name_idx").on(t.storyId, t.name),
    check("codex_entries_kind_check", sql`${t.kind} in ('character', 'place', 'thing', 'lore', 'other')`),
    check("codex_entries_activation_check", sql`${t.activation} in ('always', 'mentioned', 'never')`),
    check("codex_entries_name_check", sql`char_length(${t.name}) between 1 and 100`),
    check("codex_entries_description_check", sql`char_length(${t.description}) <= 2000`),
    check("codex_entries_appearance_check", sql`char_length(${t.appearance}) <= 1000`),
    check("codex_entries_aliases_check", sql`coalesce(array_length(${t.aliases}, 1), 0) <= 20`),
    check("codex_entries_tokens_check", sql`${t.tokenCount} >= 0`),
    check("codex_entries_version_check", sql`${t.version} >= 1`),
  ],
);

/**
 * Every name and alias of a story's codex, normalised (NFKC, case-folded, spaces collapsed): the database refuses a
 * name or alias that another entry of the same story already uses, whichever of the two it is there.
 */
export const codexNameKeys = pgTable(
  "codex_name_keys",
  {
    storyId: uuid("story_id")
      .notNull()
      .references(() => stories.id, { onDelete: "cascade" }),
    nameKey: text("name_key").notNull(),
    entryId: uuid("entry_id")
      .notNull()
      .references(() => codexEntries.id, { onDelete: "cascade" }),
  },
  (t) => [
    primaryKey({ name: "codex_name_keys_pkey", columns: [t.storyId, t.nameKey] }),
    index("codex_name_keys_entry_idx").on(t.entryId),
    check("codex_name_keys_key_check", sql`char_length(${t.nameKey}) between 1 and 100`),
  ],
);

export const codexSuggestionStatuses = ["open", "accepted", "rejected"] as const;
export type CodexSuggestionStatus = (typeof codexSuggestionStatuses)[number];

/**
 * An entry (or an update of an existing one, when `entryId` is set) proposed by a Suggest entries job. Nothing reaches
 * the codex until the author accepts it, possibly edited.
 */
export const codexSuggestions = pgTable(
  "codex_suggestions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    storyId: uuid("story_id")
      .notNull()
      .references(() => stories.id, { onDelete: "cascade" }),
    jobId: uuid("job_id").references(() => aiJobs.id, { onDelete: "set null" }),
    entryId: uuid("entry_id").references(() => codexEntries.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: codexKinds }).notNull(),
    name: text("name").notNull(),
    aliases: text("aliases").array().notNull().default(sql`'{}'::text[]`),
    description: text("description").notNull().default(""),
    status: text("status", { enum: codexSuggestionStatuses }).notNull().default("open"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    resolvedBy: uuid("resolved_by").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [
    index("codex_suggestions_open_story_idx").on(t.storyId, t.createdAt.desc()).where(sql`${t.status} = 'open'`),
    index("codex_suggestions_job_idx").on(t.jobId),
    check("codex_suggestions_kind_check", sql`${t.kind} in ('character', 'place', 'thing', 'lore', 'other')`),
    check("codex_suggestions_status_check", sql`${t.status} in ('open', 'accepted', 'rejected')`),
    check("codex_suggestions_name_check", sql`char_length(${t.name}) between 1 and 100`),
    check("codex_suggestions_description_check", sql`char_length(${t.description}) <= 2000`),
    check("codex_suggestions_aliases_check", sql`coalesce(array_length(${t.aliases}, 1), 0) <= 20`),
  ],
);

export type PageSummary = typeof pageSummaries.$inferSelect;
export type StoryRollup = typeof storyRollups.$inferSelect;
export type CodexEntry = typeof codexEntries.$inferSelect;
export type CodexSuggestion = typeof codexSuggestions.$inferSelect;
