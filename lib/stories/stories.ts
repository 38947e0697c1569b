import { and, count, desc, eq, isNull, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { storyModelChoices } from "@/lib/ai";
import { AppError } from "@/lib/errors";
import { type MemberRole, pages, stories, storyMembers, users, type Story } from "@/db/schema";
import { loadStoryFor, memberRole, readableStories, storyWithMembers } from "./access";
import { requireActor, type Actor } from "./actor";
import { ownerMemberRow } from "./members";
import { parseInput, storyCreateSchema, storyIdSchema, storyUpdateSchema } from "./validation";

export interface StorySummary {
  id: string;
  title: string;
  description: string;
  ownerId: string;
  ownerName: string;
  pageCount: number;
  updatedAt: Date;
  /** The actor's role on the story; null for an admin looking at a story they are not a member of. */
  role: MemberRole | null;
}

/**
 * The stories the actor is a member of (their own and those shared with them, told apart by `role`); admins see
 * everyone's. Newest edit first.
 */
export async function listStories(actorOrNull: Actor | null): Promise<StorySummary[]> {
  const actor = requireActor(actorOrNull);
  const db = await getDb();
  const pageCounts = db
    .select({ storyId: pages.storyId, n: count().as("n") })
    .from(pages)
    .where(isNull(pages.deletedAt))
    .groupBy(pages.storyId)
    .as("page_counts");
  const rows = await db
    .select({
      id: stories.id,
      title: stories.title,
      description: stories.description,
      ownerId: stories.ownerId,
      ownerName: users.name,
      pageCount: sql<number>`coalesce(${pageCounts.n}, 0)::int`,
      updatedAt: stories.updatedAt,
      // Through storyWithMembers: a translation's members are its source's.
      members: storyWithMembers.members,
    })
    .from(stories)
    .innerJoin(users, eq(users.id, stories.ownerId))
    .leftJoin(pageCounts, eq(pageCounts.storyId, stories.id))
    .where(readableStories(actor))
    .orderBy(desc(stories.updatedAt), desc(stories.id));
  return rows.map(({ members, ...row }) => ({
    ...row,
    pageCount: Number(row.pageCount),
    role: memberRole(actor.id, { ownerId: row.ownerId, members }),
  }));
}

export async function getStory(actorOrNull: Actor | null, input: unknown): Promise<Story> {
  const actor = requireActor(actorOrNull);
  const { storyId } = parseInput(storyIdSchema, input);
  return loadStoryFor(await getDb(), actor, "read", storyId);
}

export async function createStory(actorOrNull: Actor | null, input: unknown): Promise<Story> {
  const actor = requireActor(actorOrNull);
  const data = parseInput(storyCreateSchema, input);
  const db = await getDb();
  // The owner's member row is written with the story (it mirrors stories.owner_id; see db/schema.ts).
  return db.transaction(async (tx) => {
    const [story] = await tx
      .insert(stories)
      .values({
        ownerId: actor.id,
        title: data.title,
        description: data.description,
        language: data.language,
        contentRating: data.contentRating,
      })
      .returning();
    await tx.insert(storyMembers).values(ownerMemberRow(story!.id, actor.id));
    return story!;
  });
}

export async function updateStory(actorOrNull: Actor | null, input: unknown): Promise<Story> {
  const actor = requireActor(actorOrNull);
  const { storyId, ...changes } = parseInput(storyUpdateSchema, input);
  const db = await getDb();
  await loadStoryFor(db, actor, "edit", storyId);
  if (changes.modelId) {
    const choices = storyModelChoices();
    if (!choices.some((m) => m.id === changes.modelId))
      throw new AppError("VALIDATION", `Model: "${changes.modelId}" is not one of this site's models for stories.`, {
        fields: { modelId: `Choose one of: ${choices.map((m) => m.id).join(", ")}.` },
      });
  }
  const [story] = await db
    .update(stories)
    .set({ ...changes, updatedAt: new Date() })
    .where(eq(stories.id, storyId))
    .returning();
  return story!;
}

export async function deleteStory(actorOrNull: Actor | null, input: unknown): Promise<void> {
  const actor = requireActor(actorOrNull);
  const { storyId } = parseInput(storyIdSchema, input);
  const db = await getDb();
  await loadStoryFor(db, actor, "manage", storyId);
  // Pages and their revisions go with the story (foreign keys cascade).
  await db.delete(stories).where(and(eq(stories.id, storyId)));
}
