import { getDb } from "@/db";
import { findActiveJob, getJob } from "@/lib/ai";
import { AppError } from "@/lib/errors";
import { requireActor, type Actor } from "./actor";
import { getJobForApi } from "./api-jobs";
import { BACKGROUND_JOB_TYPE, ILLUSTRATE_JOB_TYPE, PAGE_TARGET, TAKE_JOB_TYPE, TAKES_JOB_TYPE } from "./job-kinds";
import { requestPageText } from "./page-jobs/request";
import type { PageJobView } from "./page-jobs/view";
import { jobIdSchema, parseInput } from "./validation";

const finishedStatuses = new Set(["succeeded", "failed", "cancelled"]);

/**
 * Runs a finished job again as a NEW job (`retry_of` = the old one) on the same page, built from the page and story
 * as they are now, with the same instruction (write for a blank page, revise otherwise). When someone other than the
 * story's owner retries (an admin), the result waits as a suggestion: see applyPageJobResult. The old job stays as it was, so history shows both.
 * Authors may retry jobs on their own pages, admins any job; everything else answers NOT_FOUND.
 *
 * The one-active-job-per-page rule applies: while another job runs on the page, the answer is CONFLICT naming it
 * (details.activeJobId) rather than silently joining it, since the caller asked for a retry of *this* job.
 */
export async function retryJob(actorOrNull: Actor | null, input: unknown): Promise<PageJobView> {
  const actor = requireActor(actorOrNull);
  const { jobId } = parseInput(jobIdSchema, input);
  // Checks that the actor may see the job (NOT_FOUND otherwise), whichever kind it is.
  const seen = await getJobForApi(actor, { jobId });
  if (seen.jobType === TAKES_JOB_TYPE || seen.jobType === TAKE_JOB_TYPE) {
    throw new AppError("VALIDATION", "Takes are not retried: ask for another take, or for new takes, on the page.");
  }
  // Its target is the page, but it writes no text: a retry as a page job would start a Generate the author never asked for.
  if (seen.jobType === ILLUSTRATE_JOB_TYPE) {
    throw new AppError("VALIDATION", "An illustration is not retried: illustrate the page again (POST …/illustrate).");
  }
  if (seen.jobType === BACKGROUND_JOB_TYPE) {
    throw new AppError(
      "VALIDATION",
      "A background revision is not retried as a whole: start a new one from its story.",
    );
  }
  const db = await getDb();
  const job = (await getJob(db, jobId))!;
  if (!finishedStatuses.has(job.status)) {
    throw new AppError("CONFLICT", "This job has not finished yet: cancel it or wait for it before retrying.", {
      jobId: job.id,
      status: job.status,
    });
  }
  // A background revision's child lands as a suggestion under its parent; a plain retry would write straight into
  // the page, which the author never chose.
  if (job.parentJobId) {
    throw new AppError(
      "VALIDATION",
      "This job is part of a background revision: run the revision again from its story.",
    );
  }
  const active = await findActiveJob(db, PAGE_TARGET, job.targetId);
  if (active) throw activeConflict(active.id);

  // The mode follows the page as it is now, not the old job: retrying a failed "write" on a page the author has
  // since filled in revises their text instead of replacing it with a fresh page.
  const view = await requestPageText(
    actor,
    { pageId: job.targetId, instruction: job.instruction },
    { retryOf: job.id },
  );
  // Lost a race with another request on the page: requestPageText joined that job instead of creating ours.
  const created = await getJob(db, view.id);
  if (created?.retryOf !== job.id) throw activeConflict(view.id);
  return view;
}

function activeConflict(activeJobId: string): AppError {
  return new AppError("CONFLICT", "Another AI job is already running on this page. Wait for it or cancel it first.", {
    activeJobId,
  });
}
