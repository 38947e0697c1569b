import { getDb } from "@/db";
import type { AiJob } from "@/db/ai-schema";
import { cancelOneJob, getJob } from "@/lib/ai";
import { AppError, isAppError } from "@/lib/errors";
import { loadPageFor, type StoryAction } from "../access";
import type { Actor } from "../actor";
import { SUMMARY_TARGET } from "../job-kinds";
import { toPageJobView, type PageJobView } from "../page-jobs/view";

/*
 * One page's summary job by id, for the REST job endpoints (the job list shows them): it reads like a page's job
 * (its pageId is the page, its output the summary; it never has a resolution) for whoever may see the page.
 */

const notFound = () => new AppError("NOT_FOUND", "We couldn't find that job.");

async function loadSummaryJobFor(actor: Actor, action: StoryAction, jobId: string): Promise<AiJob> {
  const db = await getDb();
  const job = await getJob(db, jobId);
  if (!job || job.targetType !== SUMMARY_TARGET) throw notFound();
  try {
    await loadPageFor(db, actor, action, job.targetId, { includeDeleted: true });
  } catch (error) {
    if (isAppError(error) && error.code === "NOT_FOUND") throw notFound();
    throw error;
  }
  return job;
}

export async function getSummaryJob(actor: Actor, jobId: string): Promise<PageJobView> {
  return toPageJobView(await loadSummaryJobFor(actor, "read", jobId));
}

/** Cancels a page's summary job (one page of Summarize all included); the page keeps the summary it has. */
export async function cancelSummaryJob(actor: Actor, jobId: string): Promise<PageJobView> {
  const job = await loadSummaryJobFor(actor, "generate", jobId);
  return toPageJobView(await cancelOneJob(await getDb(), job.id));
}
