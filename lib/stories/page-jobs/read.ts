import { and, eq, inArray, isNull } from "drizzle-orm";
import { getDb } from "@/db";
import { aiJobs, type AiJob } from "@/db/ai-schema";
import { pages } from "@/db/schema";
import { findActiveJob, getJob } from "@/lib/ai";
import { AppError } from "@/lib/errors";
import { loadPageFor, loadStoryFor, type StoryAction } from "../access";
import { requireActor, type Actor } from "../actor";
import { isPageTextJob, PAGE_TARGET } from "../job-kinds";
import { jobIdSchema, pageIdSchema, parseInput, storyIdSchema } from "../validation";
import { toPageJobView, type PageJobView } from "./view";

const JOB_NOT_FOUND = "We couldn't find that job.";

/**
 * A page job, for whoever may do `action` on its page's story (NOT_FOUND for anyone who may not see it, as for a
 * missing id). A job of a deleted page is still its story's to look at.
 */
export async function loadPageJobFor(actor: Actor, action: StoryAction, jobId: string): Promise<AiJob> {
  const db = await getDb();
  const job = await getJob(db, jobId);
  if (!job || !isPageTextJob(job)) throw new AppError("NOT_FOUND", JOB_NOT_FOUND);
  await loadPageFor(db, actor, action, job.targetId, { includeDeleted: true, notFoundMessage: JOB_NOT_FOUND });
  return job;
}

export async function getPageJob(actorOrNull: Actor | null, input: unknown): Promise<PageJobView> {
  const actor = requireActor(actorOrNull);
  const { jobId } = parseInput(jobIdSchema, input);
  return toPageJobView(await loadPageJobFor(actor, "read", jobId));
}

/** The running (or latest) job of a page, so that a reload or another tab picks it up. */
export async function getLatestPageJob(actorOrNull: Actor | null, input: unknown): Promise<PageJobView | null> {
  const actor = requireActor(actorOrNull);
  const { pageId } = parseInput(pageIdSchema, input);
  const db = await getDb();
  await loadPageFor(db, actor, "read", pageId);
  const active = await findActiveJob(db, PAGE_TARGET, pageId);
  return active && isPageTextJob(active) ? toPageJobView(active) : null;
}

/** Active jobs of a story's pages, so that a reload or a second tab shows them still running. */
export async function listActivePageJobs(actorOrNull: Actor | null, input: unknown): Promise<PageJobView[]> {
  const actor = requireActor(actorOrNull);
  const { storyId } = parseInput(storyIdSchema, input);
  const db = await getDb();
  await loadStoryFor(db, actor, "read", storyId);
  const rows = await db
    .select({ job: aiJobs })
    .from(aiJobs)
    .innerJoin(pages, and(eq(aiJobs.targetType, PAGE_TARGET), eq(pages.id, aiJobs.targetId)))
    .where(and(eq(pages.storyId, storyId), isNull(pages.deletedAt), inArray(aiJobs.status, ["pending", "running"])));
  // A take set is the page's text job too, but shows as takes (lib/stories/takes/), not as a Generate.
  return Promise.all(rows.filter((r) => isPageTextJob(r.job)).map((r) => toPageJobView(r.job)));
}
