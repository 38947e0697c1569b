import { sql } from "drizzle-orm";
import {
  check,
  customType,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { contentRatings, contentRatingsSql } from "./content-ratings";
import { aiJobs } from "./ai-schema";
import { users } from "./users-schema";

// users lives in its own leaf file so that ai-schema.ts (requested_by) can reference it without importing this file.
export {
  appSecrets,
  siteSettings,
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
    /** What the story may contain; jobs are held to the lowest of this, the site's maximum and the user's. */
    contentRating: text("content_rating", { enum: contentRatings }).notNull().default("general"),
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
    // The id breaks ties so that the story list's keyset pages ((updated_at, id) < cursor) are read from the index in
    // order; NULLS FIRST is what ORDER BY ... DESC means, without it the planner sorts again.
    index("stories_owner_updated_idx").on(t.ownerId, t.updatedAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index("stories_updated_idx").on(t.updatedAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    check("stories_title_check", sql`char_length(${t.title}) between 1 and 200`),
    check("stories_description_check", sql`char_length(${t.description}) <= 5000`),
    check("stories_language_check", sql`${t.language} ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$'`),
    check("stories_content_rating_check", sql.raw(`content_rating in (${contentRatingsSql})`)),
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

export const memberRoles = ["owner", "editor", "reader"] as const;
export type MemberRole = (typeof memberRoles)[number];
/** The roles an invitation or a role change may give: ownership only moves by a transfer. */
export const sharedRoles = ["editor", "reader"] as const;
export type SharedRole = (typeof sharedRoles)[number];

/**
 * Who works on a story, with what role. The owner has a row too, mirroring stories.owner_id (which stays the source
 * of truth for ownership, written in the same transaction on create and on transfer): listings and the one-owner
 * constraint read this table, every access check reads both (lib/stories/access.ts).
 */
export const storyMembers = pgTable(
  "story_members",
  {
    storyId: uuid("story_id")
      .notNull()
      .references(() => stories.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: memberRoles }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.storyId, t.userId], name: "story_members_pkey" }),
    // Exactly one owner per story (the "at least one" is kept by the domain: the owner cannot leave or be removed).
    uniqueIndex("story_members_one_owner_key").on(t.storyId).where(sql`${t.role} = 'owner'`),
    index("story_members_user_idx").on(t.userId),
    check("story_members_role_check", sql`${t.role} in ('owner', 'editor', 'reader')`),
  ],
);

/**
 * An invitation by email, waiting until someone with that address signs in (or up) and accepts or declines it. It
 * names no user on purpose: inviting must not reveal whether an account exists for the address.
 */
export const storyInvitations = pgTable(
  "story_invitations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    storyId: uuid("story_id")
      .notNull()
      .references(() => stories.id, { onDelete: "cascade" }),
    /** Stored lower-cased, as users' emails are compared. */
    email: text("email").notNull(),
    role: text("role", { enum: sharedRoles }).notNull(),
    invitedBy: uuid("invited_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("story_invitations_story_email_key").on(t.storyId, t.email),
    index("story_invitations_email_idx").on(t.email),
    check("story_invitations_role_check", sql`${t.role} in ('editor', 'reader')`),
    check("story_invitations_email_check", sql`${t.email} = lower(${t.email}) and position('@' in ${t.email}) > 1`),
  ],
);

export type User = typeof users.$inferSelect;
export type Story = typeof stories.$inferSelect;
export type Page = typeof pages.$inferSelect;
export type PageRevision = typeof pageRevisions.$inferSelect;
export type StoryMember = typeof storyMembers.$inferSelect;
export type StoryInvitation = typeof storyInvitations.$inferSelect;
