import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  customType,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { aiJobs } from "./ai-schema";
import { pages, stories } from "./schema";
import { users } from "./users-schema";

/*
 * Page illustrations (DECISIONS.md, "Illustrations"). The image bytes live behind a storage interface
 * (lib/ai/images/storage.ts): in `stored_images` by default, or in an S3-compatible bucket; an illustration names
 * its bytes by key and says which store holds them, so changing the configuration never orphans older images.
 */

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => "bytea",
  // postgres-js and PGlite hand back a Buffer / Uint8Array; a plain view keeps callers off Buffer-only methods.
  fromDriver: (value) => new Uint8Array(value.buffer, value.byteOffset, value.byteLength),
});

/** The image types an illustration may be; checked from the bytes (lib/ai/images/sniff.ts), never from a claim. */
export const imageContentTypes = ["image/png", "image/jpeg", "image/webp"] as const;
export type ImageContentType = (typeof imageContentTypes)[number];
export const imageStorageKinds = ["database", "s3"] as const;
export type ImageStorageKind = (typeof imageStorageKinds)[number];

/** The database image store: one row per stored image, written once (keys are never reused). */
export const storedImages = pgTable(
  "stored_images",
  {
    key: text("key").primaryKey(),
    bytes: bytea("bytes").notNull(),
    contentType: text("content_type", { enum: imageContentTypes }).notNull(),
    byteSize: integer("byte_size").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("stored_images_type_check", sql`${t.contentType} in ('image/png', 'image/jpeg', 'image/webp')`),
    check("stored_images_size_check", sql`${t.byteSize} = octet_length(${t.bytes}) and ${t.byteSize} > 0`),
    check("stored_images_key_check", sql`${t.key} ~ '^[a-z0-9/_.-]{1,200}$'`),
  ],
);

/**
 * One attempt at illustrating a page: the scene the model described, the image prompt that was sent (the author may
 * edit both and regenerate), and the image. Attempts are kept until one is chosen (at most one per page is).
 */
export const pageIllustrations = pgTable(
  "page_illustrations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    storyId: uuid("story_id")
      .notNull()
      .references(() => stories.id, { onDelete: "cascade" }),
    pageId: uuid("page_id")
      .notNull()
      .references(() => pages.id, { onDelete: "cascade" }),
    /** The page.illustrate job that made it. */
    jobId: uuid("job_id").references(() => aiJobs.id, { onDelete: "set null" }),
    sceneDescription: text("scene_description").notNull(),
    imagePrompt: text("image_prompt").notNull(),
    storage: text("storage", { enum: imageStorageKinds }).notNull(),
    imageKey: text("image_key").notNull(),
    contentType: text("content_type", { enum: imageContentTypes }).notNull(),
    byteSize: integer("byte_size").notNull(),
    width: integer("width").notNull(),
    height: integer("height").notNull(),
    model: text("model").notNull(),
    /** Drawn by the offline illustrator (labelled so wherever it shows). */
    offline: boolean("offline").notNull().default(false),
    /** Set on the attempt the author picked to illustrate the page. */
    chosenAt: timestamp("chosen_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("page_illustrations_page_created_idx").on(t.pageId, t.createdAt.desc()),
    index("page_illustrations_story_idx").on(t.storyId),
    uniqueIndex("page_illustrations_one_chosen_per_page").on(t.pageId).where(sql`${t.chosenAt} is not null`),
    // A job stores its image once, even if its store step runs twice.
    uniqueIndex("page_illustrations_job_key").on(t.jobId).where(sql`${t.jobId} is not null`),
    uniqueIndex("page_illustrations_image_key").on(t.storage, t.imageKey),
    check("page_illustrations_scene_check", sql`char_length(${t.sceneDescription}) between 1 and 2000`),
    check("page_illustrations_prompt_check", sql`char_length(${t.imagePrompt}) between 1 and 4000`),
    check("page_illustrations_storage_check", sql`${t.storage} in ('database', 's3')`),
    check("page_illustrations_type_check", sql`${t.contentType} in ('image/png', 'image/jpeg', 'image/webp')`),
    check("page_illustrations_size_check", sql`${t.byteSize} > 0 and ${t.width} > 0 and ${t.height} > 0`),
  ],
);

/**
 * "With Generate": the page is illustrated once the text of this job is on the page (written directly, or applied
 * from its suggestion). One wait per page (a newer Generate with the option replaces it); the Illustrate job is
 * submitted when the text lands, paid by whoever asked.
 */
export const illustrationWaits = pgTable("illustration_waits", {
  pageId: uuid("page_id")
    .primaryKey()
    .references(() => pages.id, { onDelete: "cascade" }),
  storyId: uuid("story_id")
    .notNull()
    .references(() => stories.id, { onDelete: "cascade" }),
  textJobId: uuid("text_job_id")
    .notNull()
    .references(() => aiJobs.id, { onDelete: "cascade" }),
  requestedBy: uuid("requested_by")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export type StoredImage = typeof storedImages.$inferSelect;
export type PageIllustration = typeof pageIllustrations.$inferSelect;
