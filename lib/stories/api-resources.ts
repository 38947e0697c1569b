import { and, asc, count, desc, eq, gt, inArray, isNull, lt, lte, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Db } from "@/db";
import { pages, stories, type Page, type Story } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { loadStoryFor, readableStories } from "./access";
import { requireActor, type Actor } from "./actor";
import { requestBackgroundRevision } from "./background/request";
import type { BackgroundRevisionView } from "./background/view";
import { BACKGROUND_JOB_TYPE } from "./job-kinds";
import { addPage, deletePage, getPage, movePage, movePageTo, savePage } from "./pages";
import { createStory, deleteStory, getStory, updateStory } from "./stories";
import { idField, pageIdSchema, parseInput, storyIdSchema } from "./validation";

/**
 * Stories and pages as REST API v1 shows them (lib/http/api-schemas.ts describes these views field for field). The
 * writes are the domain's own functions (stories.ts, pages.ts, background/request.ts), which check access with
 * `can`; this module adds what only the API needs: keyset-paginated lists, page numbers, and JSON-ready views.
 */

export const STORY_PAGE_MAX = 100;
export const PAGE_LIST_MAX = 100;

export interface ApiStory {
  id: string;
  ownerId: string;
  title: string;
  description: string;
  language: string;
  contentRating: Story["contentRating"];
  pageCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface ApiPage {
  id: string;
  storyId: string;
  /** 1-based among the story's live pages in reading order. */
  number: number;
  content: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

const limitField = (max: number, noun: string) =>
  z.coerce.number().int().min(1).max(max, `At most ${max} ${noun} per page.`).optional();

export const storyListQuerySchema = z.object({
  cursor: z.string().max(200).optional(),
  limit: limitField(STORY_PAGE_MAX, "stories"),
});

export const pageListQuerySchema = z.object({
  cursor: z.string().max(200).optional(),
  limit: limitField(PAGE_LIST_MAX, "pages"),
});

/** A cursor is opaque to clients: base64url JSON of the last row's sort key. */
function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

function badCursor(): AppError {
  const message = "Not a cursor of this list: pass nextCursor from the previous answer.";
  return new AppError("VALIDATION", message, { fields: { cursor: message } });
}

function decodeCursor(cursor: string, length: number): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw badCursor();
  }
  if (!Array.isArray(parsed) || parsed.length !== length || !parsed.every((v) => typeof v === "string"))
    throw badCursor();
  return parsed as string[];
}

const storyCursorSchema = z.tuple([z.iso.datetime({ offset: true, precision: 6 }), idField]);

const iso = (date: Date) => date.toISOString();

function toApiStory(story: Story, pageCount: number): ApiStory {
  return {
    id: story.id,
    ownerId: story.ownerId,
    title: story.title,
    description: story.description,
    language: story.language,
    contentRating: story.contentRating,
    pageCount,
    createdAt: iso(story.createdAt),
    updatedAt: iso(story.updatedAt),
  };
}

function toApiPage(page: Page, number: number): ApiPage {
  return {
    id: page.id,
    storyId: page.storyId,
    number,
    content: page.content,
    version: page.version,
    createdAt: iso(page.createdAt),
    updatedAt: iso(page.updatedAt),
  };
}

async function pageCounts(db: Db, storyIds: string[]): Promise<Map<string, number>> {
  if (storyIds.length === 0) return new Map();
  const rows = await db
    .select({ storyId: pages.storyId, n: count() })
    .from(pages)
    .where(and(inArray(pages.storyId, storyIds), isNull(pages.deletedAt)))
    .groupBy(pages.storyId);
  return new Map(rows.map((row) => [row.storyId, Number(row.n)]));
}

/** The page's number: live pages before it, plus one (the partial unique index on (story_id, position) answers it). */
async function pageNumber(db: Db, page: Page): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(pages)
    .where(and(eq(pages.storyId, page.storyId), isNull(pages.deletedAt), lt(pages.position, page.position)));
  return Number(row?.n ?? 0) + 1;
}

async function apiPage(page: Page): Promise<ApiPage> {
  return toApiPage(page, await pageNumber(await getDb(), page));
}

async function apiStory(story: Story): Promise<ApiStory> {
  const counts = await pageCounts(await getDb(), [story.id]);
  return toApiStory(story, counts.get(story.id) ?? 0);
}

/**
 * The stories the actor may read, most recently changed first, one page at a time. Keyset pagination on
 * (updated_at, id), read from stories_owner_updated_idx (admins: stories_updated_idx): a deep page costs what the
 * first does. The cursor carries updated_at as PostgreSQL text, microseconds included (a JS Date would drop them and
 * break ties). A story changed while a client pages moves to the front: it is not seen twice in one walk.
 */
export async function listStoriesForApi(
  actorOrNull: Actor | null,
  input: unknown,
): Promise<{ stories: ApiStory[]; nextCursor: string | null }> {
  const actor = requireActor(actorOrNull);
  const { cursor, limit = 20 } = parseInput(storyListQuerySchema, input);
  let after: SQL | undefined;
  if (cursor) {
    const parsed = storyCursorSchema.safeParse(decodeCursor(cursor, 2));
    if (!parsed.success) throw badCursor();
    const [at, id] = parsed.data;
    after = sql`(${stories.updatedAt}, ${stories.id}) < (${at}::timestamptz, ${id}::uuid)`;
  }
  const db = await getDb();
  const rows = await db
    .select({
      story: stories,
      sortAt: sql<string>`to_char(${stories.updatedAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    })
    .from(stories)
    .where(and(readableStories(actor), after))
    .orderBy(desc(stories.updatedAt), desc(stories.id))
    .limit(limit + 1);
  const shown = rows.slice(0, limit);
  const counts = await pageCounts(
    db,
    shown.map((row) => row.story.id),
  );
  const last = shown.at(-1);
  return {
    stories: shown.map((row) => toApiStory(row.story, counts.get(row.story.id) ?? 0)),
    nextCursor: rows.length > limit && last ? encodeCursor([last.sortAt, last.story.id]) : null,
  };
}

export async function getStoryForApi(actor: Actor | null, input: unknown): Promise<ApiStory> {
  return apiStory(await getStory(actor, input));
}

export async function createStoryForApi(actor: Actor | null, input: unknown): Promise<ApiStory> {
  return toApiStory(await createStory(actor, input), 0);
}

export async function updateStoryForApi(actor: Actor | null, input: unknown): Promise<ApiStory> {
  return apiStory(await updateStory(actor, input));
}

export async function deleteStoryForApi(actor: Actor | null, input: unknown): Promise<{ id: string }> {
  const { storyId } = parseInput(storyIdSchema, input);
  await deleteStory(actor, { storyId });
  return { id: storyId };
}

/**
 * A story's live pages in reading order, one page of the list at a time: keyset on the position key (the partial
 * unique index pages_story_position_key), the cursor being the last page's key; numbers continue across pages.
 */
export async function listPagesForApi(
  actorOrNull: Actor | null,
  input: unknown,
): Promise<{ pages: ApiPage[]; nextCursor: string | null }> {
  const actor = requireActor(actorOrNull);
  const { storyId, cursor, limit = 50 } = parseInput(storyIdSchema.extend(pageListQuerySchema.shape), input);
  const db = await getDb();
  await loadStoryFor(db, actor, "read", storyId);
  const afterPosition = cursor ? decodeCursor(cursor, 1)[0]! : null;
  const live = and(eq(pages.storyId, storyId), isNull(pages.deletedAt));
  const rows = await db
    .select()
    .from(pages)
    .where(and(live, afterPosition === null ? undefined : gt(pages.position, afterPosition)))
    .orderBy(asc(pages.position))
    .limit(limit + 1);
  let first = 1;
  if (afterPosition !== null) {
    const [before] = await db
      .select({ n: count() })
      .from(pages)
      .where(and(live, lte(pages.position, afterPosition)));
    first = Number(before?.n ?? 0) + 1;
  }
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return {
    pages: shown.map((page, i) => toApiPage(page, first + i)),
    nextCursor: rows.length > limit && last ? encodeCursor([last.position]) : null,
  };
}

export async function getPageForApi(actor: Actor | null, input: unknown): Promise<ApiPage> {
  return apiPage(await getPage(actor, input));
}

export async function addPageForApi(actor: Actor | null, input: unknown): Promise<ApiPage> {
  return apiPage(await addPage(actor, input));
}

/** Writes the page from `baseVersion`: a stale version is CONFLICT with the page as it is now (savePage). */
export async function savePageForApi(actor: Actor | null, input: unknown): Promise<ApiPage> {
  return apiPage(await savePage(actor, input));
}

export async function deletePageForApi(actor: Actor | null, input: unknown): Promise<{ id: string }> {
  const { pageId } = parseInput(pageIdSchema, input);
  await deletePage(actor, { pageId });
  return { id: pageId };
}

/** `{ direction: "up" | "down" }` moves one step (movePage); `{ afterPageId }` anywhere (movePageTo, null: first). */
export async function movePageForApi(actor: Actor | null, input: unknown): Promise<ApiPage> {
  const moved =
    input !== null && typeof input === "object" && "direction" in input
      ? await movePage(actor, input)
      : await movePageTo(actor, input);
  return apiPage(moved);
}

/** Starts a background revision (or joins the story's running one) and answers with its progress view. */
export async function requestBackgroundRevisionForApi(
  actor: Actor | null,
  input: unknown,
): Promise<{
  created: boolean;
  message: string;
  job: BackgroundRevisionView & { jobType: typeof BACKGROUND_JOB_TYPE };
}> {
  const { revision, created, message } = await requestBackgroundRevision(actor, input);
  return { created, message, job: { ...revision, jobType: BACKGROUND_JOB_TYPE } };
}
