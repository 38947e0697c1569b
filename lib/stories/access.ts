import { and, eq, isNull, type SQL } from "drizzle-orm";
import type { Db } from "@/db";
import { pages, stories, type Page, type Story } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { requireActor, type Actor } from "./actor";

/**
 * Who may do what with a story: every domain check goes through `can`. Today the owner is the story's only member
 * and holds every right, and admins may do everything; co-authors will change the member roles here, not the call
 * sites (docs: DECISIONS.md, "Access").
 */
export type StoryAction = "read" | "edit" | "generate" | "review" | "manage";

type MemberRole = "owner";

const rights: Record<MemberRole, readonly StoryAction[]> = {
  owner: ["read", "edit", "generate", "review", "manage"],
};

function memberRole(userId: string, story: Pick<Story, "ownerId">): MemberRole | null {
  return story.ownerId === userId ? "owner" : null;
}

export function isAdmin(actor: Actor): boolean {
  return actor.role === "admin";
}

/**
 * What the user may do as a member of the story, leaving admin rights aside: for decisions about whose work it is
 * (an admin's retry waits as a suggestion for the members to choose, see applyPageJobResult).
 */
export function memberCan(userId: string, action: StoryAction, story: Pick<Story, "ownerId">): boolean {
  const role = memberRole(userId, story);
  return role !== null && rights[role].includes(action);
}

/** The access predicate. */
export function can(actor: Actor, action: StoryAction, story: Pick<Story, "ownerId">): boolean {
  return isAdmin(actor) || memberCan(actor.id, action, story);
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
export function assertCan(
  actor: Actor,
  action: StoryAction,
  story: Pick<Story, "ownerId">,
  notFoundMessage: string,
): void {
  if (can(actor, action, story)) return;
  if (action === "read" || !can(actor, "read", story)) throw new AppError("NOT_FOUND", notFoundMessage);
  throw new AppError("FORBIDDEN", refusals[action]);
}

/** The stories the actor may read, as a query condition (listings cannot ask `can` row by row). */
export function readableStories(actor: Actor): SQL | undefined {
  return isAdmin(actor) ? undefined : eq(stories.ownerId, actor.id);
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
): Promise<Story> {
  const notFound = options.notFoundMessage ?? "We couldn't find that story.";
  const [story] = await db.select().from(stories).where(eq(stories.id, storyId)).limit(1);
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
): Promise<{ page: Page; story: Story }> {
  const notFound = options.notFoundMessage ?? "We couldn't find that page.";
  const [row] = await db
    .select({ page: pages, story: stories })
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
