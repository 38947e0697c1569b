import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db";
import { pages, stories, type Page, type Story } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { canSeeEverything, type Actor } from "./actor";

/**
 * Loads a story the actor may see. Someone else's story answers NOT_FOUND, exactly like a missing one,
 * so that ids do not reveal what exists.
 */
export async function loadOwnedStory(db: Db, actor: Actor, storyId: string): Promise<Story> {
  const [story] = await db.select().from(stories).where(eq(stories.id, storyId)).limit(1);
  if (!story || (story.ownerId !== actor.id && !canSeeEverything(actor))) {
    throw new AppError("NOT_FOUND", "We couldn't find that story.");
  }
  return story;
}

export async function loadOwnedPage(
  db: Db,
  actor: Actor,
  pageId: string,
  options: { includeDeleted?: boolean } = {},
): Promise<{ page: Page; story: Story }> {
  const [row] = await db
    .select({ page: pages, story: stories })
    .from(pages)
    .innerJoin(stories, eq(stories.id, pages.storyId))
    .where(options.includeDeleted ? eq(pages.id, pageId) : and(eq(pages.id, pageId), isNull(pages.deletedAt)))
    .limit(1);
  if (!row || (row.story.ownerId !== actor.id && !canSeeEverything(actor))) {
    throw new AppError("NOT_FOUND", "We couldn't find that page.");
  }
  return row;
}
