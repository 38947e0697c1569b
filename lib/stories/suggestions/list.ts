import { and, desc, eq, isNull } from "drizzle-orm";
import { getDb } from "@/db";
import { aiJobs } from "@/db/ai-schema";
import { pages } from "@/db/schema";
import { pageSuggestions, type PageSuggestion } from "@/db/suggestions-schema";
import { loadStoryFor } from "../access";
import { requireActor, type Actor } from "../actor";
import { parseInput, storyIdSchema } from "../validation";

/** The story's open suggestions on live pages, newest first, each saying whether a background revision made it. */
export async function listOpenSuggestions(
  actorOrNull: Actor | null,
  input: unknown,
): Promise<(PageSuggestion & { parentJobId: string | null })[]> {
  const actor = requireActor(actorOrNull);
  const { storyId } = parseInput(storyIdSchema, input);
  const db = await getDb();
  await loadStoryFor(db, actor, "read", storyId);
  const rows = await db
    .select({ suggestion: pageSuggestions, parentJobId: aiJobs.parentJobId })
    .from(pageSuggestions)
    .innerJoin(pages, eq(pages.id, pageSuggestions.pageId))
    .innerJoin(aiJobs, eq(aiJobs.id, pageSuggestions.jobId))
    .where(and(eq(pages.storyId, storyId), eq(pageSuggestions.status, "open"), isNull(pages.deletedAt)))
    .orderBy(desc(pageSuggestions.createdAt));
  return rows.map((r) => ({ ...r.suggestion, parentJobId: r.parentJobId }));
}
