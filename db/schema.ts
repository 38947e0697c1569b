import { sql } from "drizzle-orm";
import { check, customType, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { aiJobs } from "./ai-schema";
import { users } from "./users-schema";

// users lives in its own leaf file so that ai-schema.ts (requested_by) can reference it without importing this file.
export {
  appSecrets,
  authThrottles,
  userRoles,
  userSessions,
  users,
  type UserRole,
  type UserSession,
} from "./users-schema";

/**
 * Page positions are fractional-index keys compared byte by byte, so the column uses the "C" collation:
 * a locale collation would order mixed-case keys differently from the algorithm that produced them.
 */
const positionKey = customType<{ data: string }>({
  dataType() {
    return 'text COLLATE "C"';
  },
});

export const revisionSources = ["human", "ai"] as const;
export type RevisionSource = (typeof revisionSources)[number];

export const stories = pgTable(
  "stories",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    ownerId: uuid("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    language: text("language").notNull().default("en"),
    /**
     * The model the author chose for the story's prose (a model registry id, lib/ai/model-registry.ts); null = the
     * install's default. Not a foreign key: the registry is configuration, and a choice removed from it since falls
     * back to the default.
     */
    modelId: text("model_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("stories_owner_updated_idx").on(t.ownerId, t.updatedAt.desc()),
    index("stories_updated_idx").on(t.updatedAt.desc()),
    check("stories_title_check", sql`char_length(${t.title}) between 1 and 200`),
    check("stories_description_check", sql`char_length(${t.description}) <= 5000`),
    check("stories_language_check", sql`${t.language} ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$'`),
    check("stories_model_id_check", sql`${t.modelId} is null or char_length(${t.modelId}) between 1 and 100`),
  ],
);

export const pages = pgTable(
  "pages",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    storyId: uuid("story_id")
      .notNull()
      .references(() => stories.id, { onDelete: "cascade" }),
    position: positionKey("position").notNull(),
    content: text("content").notNull().default(""),
    version: integer("version").notNull().default(1),
    /**
     * Tokens of `content` for prompt assembly, stored so that a long story is budgeted by adding numbers. Null when
     * not counted yet (pages written before story memory): counted on first use.
     */
    tokenCount: integer("token_count"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    /** Soft delete so that "Undo" can bring a page back with its history. */
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("pages_story_position_key").on(t.storyId, t.position).where(sql`${t.deletedAt} is null`),
    index("pages_story_idx").on(t.storyId),
    check("pages_content_check", sql`char_length(${t.content}) <= 100000`),
    check("pages_version_check", sql`${t.version} >= 1`),
  ],
);

export const pageRevisions = pgTable(
  "page_revisions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    pageId: uuid("page_id")
      .notNull()
      .references(() => pages.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    content: text("content").notNull(),
    source: text("source", { enum: revisionSources }).notNull(),
    /** Set when the text came from an AI job. */
    jobId: uuid("job_id").references(() => aiJobs.id, { onDelete: "set null" }),
    authorId: uuid("author_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("page_revisions_page_version_key").on(t.pageId, t.version),
    // A job's text lands in a page at most once, even if the step that writes it runs twice.
    uniqueIndex("page_revisions_job_key").on(t.jobId).where(sql`${t.jobId} is not null`),
    check("page_revisions_source_check", sql`${t.source} in ('human', 'ai')`),
    check("page_revisions_ai_job_check", sql`${t.source} = 'ai' or ${t.jobId} is null`),
  ],
);

export type User = typeof users.$inferSelect;
export type Story = typeof stories.$inferSelect;
export type Page = typeof pages.$inferSelect;
export type PageRevision = typeof pageRevisions.$inferSelect;
