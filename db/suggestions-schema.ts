import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { aiJobs } from "./ai-schema";
import { pages } from "./schema";
import { users } from "./users-schema";

export const suggestionStatuses = ["open", "applied", "discarded"] as const;
export type SuggestionStatus = (typeof suggestionStatuses)[number];

/**
 * Why the text waits for the author instead of being written into the page: the page changed while the job ran; a
 * background revision (always reviewed); the job was started by someone who does not edit the story (an admin's
 * retry, an API job), so its author decides; or the AI answered the page's own text, kept only as a record
 * (stored discarded, never shown as a suggestion).
 */
export const suggestionReasons = ["page_changed", "background", "review", "unchanged"] as const;
export type SuggestionReason = (typeof suggestionReasons)[number];

/**
 * AI output that could not be written straight into its page because the page changed while the job ran.
 * The author decides: apply (a new revision), compare, or discard. Nothing is overwritten without that choice.
 */
export const pageSuggestions = pgTable(
  "page_suggestions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    pageId: uuid("page_id")
      .notNull()
      .references(() => pages.id, { onDelete: "cascade" }),
    jobId: uuid("job_id")
      .notNull()
      .references(() => aiJobs.id, { onDelete: "cascade" }),
    content: text("content").notNull(),
    /** The page version the job started from. */
    baseVersion: integer("base_version").notNull(),
    status: text("status", { enum: suggestionStatuses }).notNull().default("open"),
    reason: text("reason", { enum: suggestionReasons }).notNull().default("page_changed"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    resolvedBy: uuid("resolved_by").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [
    uniqueIndex("page_suggestions_job_key").on(t.jobId),
    index("page_suggestions_open_page_idx").on(t.pageId, t.createdAt.desc()).where(sql`${t.status} = 'open'`),
    check("page_suggestions_status_check", sql`${t.status} in ('open', 'applied', 'discarded')`),
    check("page_suggestions_reason_check", sql`${t.reason} in ('page_changed', 'background', 'review', 'unchanged')`),
    // An unchanged answer is a record, never an open suggestion.
    check("page_suggestions_unchanged_closed_check", sql`${t.reason} <> 'unchanged' or ${t.status} = 'discarded'`),
    check("page_suggestions_content_check", sql`char_length(${t.content}) <= 100000`),
  ],
);

export type PageSuggestion = typeof pageSuggestions.$inferSelect;
