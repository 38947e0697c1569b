import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { aiJobs } from "./ai-schema";
import { pages } from "./schema";
import { users } from "./users-schema";

export const suggestionStatuses = ["open", "applied", "discarded"] as const;
export type SuggestionStatus = (typeof suggestionStatuses)[number];

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
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    resolvedBy: uuid("resolved_by").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [
    uniqueIndex("page_suggestions_job_key").on(t.jobId),
    index("page_suggestions_open_page_idx").on(t.pageId, t.createdAt.desc()).where(sql`${t.status} = 'open'`),
    check("page_suggestions_status_check", sql`${t.status} in ('open', 'applied', 'discarded')`),
    check("page_suggestions_content_check", sql`char_length(${t.content}) <= 100000`),
  ],
);

export type PageSuggestion = typeof pageSuggestions.$inferSelect;
