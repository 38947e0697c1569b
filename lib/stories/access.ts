import { and, eq, getTableColumns, inArray, isNull, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "@/db";
import { type MemberRole, pages, type Page, type Story, stories, storyMembers } from "@/db/schema";
import { storyTranslations } from "@/db/translations-schema";
import { AppError } from "@/lib/errors";
import { requireActor, type Actor } from "./actor";

/**
 * Who may do what with a story: every domain check goes through `can`. A story's members have roles (owner, editor,
 * reader; db/schema.ts story_members), and admins may do everything (docs: DECISIONS.md, "Access"; ARCHITECTURE.md,
 * "Co-authors").
 */
export type StoryAction = "read" | "edit" | "generate" | "review" | "manage";
export type { MemberRole } from "@/db/schema";

const rights: Record<MemberRole, readonly StoryAction[]> = {
  owner: ["read", "edit", "generate", "review", "manage"],
  // Editors work on the text with the AI (paid from their own spending budget: the requester pays) but cannot share,
  // transfer or delete the story.
  editor: ["read", "edit", "generate", "review"],
  reader: ["read"],
};

export interface StoryMemberRef {
  userId: string;
  role: MemberRole;
}

/**
 * What `can` needs to know about a story: its owner and its other members. `members` comes with every story the
 * loaders below return (loadStoryFor, loadPageFor, `storyWithMembers` in a join). A story row without it still answers
 * for its owner and admins only, so a caller that forgets to load the members refuses editors and readers rather than
 * letting anyone in.
 */
export type StoryAccess = Pick<Story, "ownerId"> & { members?: readonly StoryMemberRef[] };
export type StoryWithMembers = Story & { members: StoryMemberRef[] };

export function memberRole(userId: string, story: StoryAccess): MemberRole | null {
  // stories.owner_id is the source of truth for ownership; the owner's story_members row mirrors it.
  if (story.ownerId === userId) return "owner";
  const row = story.members?.find((m) => m.userId === userId);
  return row && row.role !== "owner" ? row.role : null;
}

export function isAdmin(actor: Actor): boolean {
  return actor.role === "admin";
}

/**
 * What the user may do as a member of the story, leaving admin rights aside: for decisions about whose work it is
 * (an admin's retry waits as a suggestion for the members to choose, see applyPageJobResult).
 */
export function memberCan(userId: string, action: StoryAction, story: StoryAccess): boolean {
  const role = memberRole(userId, story);
  return role !== null && rights[role].includes(action);
}

/** The access predicate. */
export function can(actor: Actor, action: StoryAction, story: StoryAccess): boolean {
  return isAdmin(actor) || memberCan(actor.id, action, story);
}

/**
 * The story's members as a column of a select (one correlated subquery, no second round trip): use
 * `{ story: storyWithMembers }` wherever a join loads the story that `can` then checks.
 */
// A translation's members are its source's (DECISIONS.md, "Takes and translations": its owner and members follow the
// source), looked up through story_translations here, so every check of a translation — `can`, the listings — sees
// the source's editors and readers without copying their rows (an invitation or a removal on the source applies to
// its translations at once). Rows of the translation itself come first, so `memberRole` prefers them.
const membersColumn =
  sql<string>`coalesce((select json_agg(json_build_object('userId', m.user_id, 'role', m.role) order by (m.story_id = ${stories.id}) desc)::text from ${storyMembers} m where m.story_id = ${stories.id} or m.story_id = (select t.source_story_id from ${storyTranslations} t where t.story_id = ${stories.id})), '[]')`.mapWith(
    (value: string) => JSON.parse(value) as StoryMemberRef[],
  );
export const storyWithMembers = { ...getTableColumns(stories), members: membersColumn };

/** The members of one story (for checks about someone other than the actor, e.g. a job's requester). */
export async function storyAccessOf(db: Db, storyId: string): Promise<StoryAccess | undefined> {
  const [row] = await db
    .select({ ownerId: stories.ownerId, members: membersColumn })
    .from(stories)
    .where(eq(stories.id, storyId))
    .limit(1);
  return row;
}

const refusals: Record<Exclude<StoryAction, "read">, string> = {
  edit: "You can read this story but not edit it.",
  generate: "You can read this story but not use the AI on it.",
  review: "You can read this story but not review its suggestions.",
  manage: "Only the story's owner can do that.",
};

/**
 * Throws unless the actor may do `action`: someone who may not even read the story gets NOT_FOUND with
 * `notFoundMessage`, exactly like a missing one, so that ids do not reveal what exists; a member without the right
 * gets FORBIDDEN saying what they cannot do.
 */
export function assertCan(actor: Actor, action: StoryAction, story: StoryAccess, notFoundMessage: string): void {
  if (can(actor, action, story)) return;
  if (action === "read" || !can(actor, "read", story)) throw new AppError("NOT_FOUND", notFoundMessage);
  throw new AppError("FORBIDDEN", refusals[action]);
}

/** The stories the actor may read, as a query condition (listings cannot ask `can` row by row). */
export function readableStories(actor: Actor): SQL | undefined {
  if (isAdmin(actor)) return undefined;
  // Every role reads; the owner's own clause keeps a story whose owner row is missing readable by its owner.
  return or(eq(stories.ownerId, actor.id), inArray(stories.id, sharedStoryIds(actor.id)));
}

/** Ids of the stories where the user is a member, as a subquery. */
function sharedStoryIds(userId: string) {
  // And the translations of those stories: their members are the source's.
  return sql`(select ${storyMembers.storyId} from ${storyMembers} where ${storyMembers.userId} = ${userId} union select t.story_id from ${storyTranslations} t join ${storyMembers} sm on sm.story_id = t.source_story_id where sm.user_id = ${userId})`;
}

/**
 * What a thing reached through a story (a job, a suggestion) answers when it is missing or not the actor's to see:
 * the same message either way, so an id of another author's thing reads exactly like an id of nothing.
 */
export interface NotFoundAs {
  notFoundMessage?: string;
}

/** Loads a story for `action`; a missing story and one the actor may not see both answer NOT_FOUND. */
export async function loadStoryFor(
  db: Db,
  actor: Actor,
  action: StoryAction,
  storyId: string,
  options: NotFoundAs = {},
): Promise<StoryWithMembers> {
  const notFound = options.notFoundMessage ?? "We couldn't find that story.";
  const [story] = await db.select(storyWithMembers).from(stories).where(eq(stories.id, storyId)).limit(1);
  if (!story) throw new AppError("NOT_FOUND", notFound);
  assertCan(actor, action, story, notFound);
  return story;
}

/** Loads a live page (or a deleted one, with `includeDeleted`) and its story for `action` on that story. */
export async function loadPageFor(
  db: Db,
  actor: Actor,
  action: StoryAction,
  pageId: string,
  options: { includeDeleted?: boolean } & NotFoundAs = {},
): Promise<{ page: Page; story: StoryWithMembers }> {
  const notFound = options.notFoundMessage ?? "We couldn't find that page.";
  const [row] = await db
    .select({ page: pages, story: storyWithMembers })
    .from(pages)
    .innerJoin(stories, eq(stories.id, pages.storyId))
    .where(options.includeDeleted ? eq(pages.id, pageId) : and(eq(pages.id, pageId), isNull(pages.deletedAt)))
    .limit(1);
  if (!row) throw new AppError("NOT_FOUND", notFound);
  assertCan(actor, action, row.story, notFound);
  return row;
}

/**
 * Admin-only operations: anyone else is told the thing does not exist (NOT_FOUND), exactly as if the admin pages did
 * not exist, so their URLs reveal nothing.
 */
export function requireAdmin(actorOrNull: Actor | null): Actor {
  const actor = requireActor(actorOrNull);
  if (!isAdmin(actor)) throw new AppError("NOT_FOUND");
  return actor;
}
