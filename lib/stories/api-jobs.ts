import { getDb } from "@/db";
import { getJob } from "@/lib/ai";
import { AppError, isAppError } from "@/lib/errors";
import { requireActor, type Actor } from "./actor";
import { cancelBackgroundRevision } from "./background/cancel";
import { getBackgroundRevision, type BackgroundRevisionView } from "./background/view";
import { cancelCodexSuggestJob, getCodexSuggestJob } from "./codex/suggest/job";
import type { CodexSuggestRunView } from "./codex/suggest/view";
import {
  BACKGROUND_JOB_TYPE,
  CODEX_TARGET,
  ILLUSTRATE_JOB_TYPE,
  STORY_TARGET,
  SUGGEST_CODEX_JOB_TYPE,
  SUMMARIZE_ALL_JOB_TYPE,
  SUMMARY_TARGET,
  isPageTextJob,
} from "./job-kinds";
import { cancelIllustrationJob, getIllustrationJob } from "./illustrations/request";
import type { IllustrationJobView } from "./illustrations/view";
import { getImport, isImportJob, type ImportJobView } from "./import/job";
import { cancelLedgerJob, getLedgerJob, type LedgerJobView } from "./ledger-job-view";
import { cancelPageJob } from "./page-jobs/cancel";
import { getPageJob } from "./page-jobs/read";
import type { PageJobView } from "./page-jobs/view";
import { cancelSummaryJob, getSummaryJob } from "./summaries/job-view";
import { cancelSummarizeAllJob, getSummarizeAllJob, type SummarizeAllView } from "./summaries/summarize-all";
import { jobIdSchema, parseInput } from "./validation";

/**
 * Any job the REST API lists can be read and cancelled by id: a page's job, or a background revision (the parent of
 * one job per page), whose view carries `jobType: "story.revise_pages"` and the per-page progress; Summarize all and
 * Suggest entries likewise carry their `jobType` and progress.
 */
export type ApiJobView =
  | PageJobView
  | (BackgroundRevisionView & { jobType: typeof BACKGROUND_JOB_TYPE })
  | SummarizeAllView
  | CodexSuggestRunView
  | IllustrationJobView
  | LedgerJobView
  | ImportJobView;

const notFound = () => new AppError("NOT_FOUND", "We couldn't find that job.");

/** Whatever the kind's reader could not find (the job, its page, its story), the API says the job: ids reveal nothing. */
async function readingAsJob<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (isAppError(error) && error.code === "NOT_FOUND") throw notFound();
    throw error;
  }
}

/** Which kind of job this is. Access is checked by the kind's own reader, which answers NOT_FOUND to anyone who may not see it. */
async function kindOf(
  jobId: string,
): Promise<
  | { kind: "page" }
  | { kind: "revision"; storyId: string }
  | { kind: "summaries" }
  | { kind: "summary" }
  | { kind: "codex-suggest" }
  | { kind: "illustration" }
  | { kind: "ledger" }
  | { kind: "import" }
> {
  const job = await getJob(await getDb(), jobId);
  if (job && isPageTextJob(job)) return { kind: "page" };
  if (job?.targetType === SUMMARY_TARGET) return { kind: "summary" };
  if (job?.jobType === SUMMARIZE_ALL_JOB_TYPE) return { kind: "summaries" };
  if (job?.targetType === CODEX_TARGET && job.jobType === SUGGEST_CODEX_JOB_TYPE) return { kind: "codex-suggest" };
  if (job?.jobType === ILLUSTRATE_JOB_TYPE) return { kind: "illustration" };
  if (job?.targetType === STORY_TARGET && job.jobType === BACKGROUND_JOB_TYPE)
    return { kind: "revision", storyId: job.targetId };
  // Any other job of a story (a roll-up, one batch of Suggest entries): the job list shows it, so it reads by id.
  if (job) return { kind: "ledger" };
  // A manuscript import is not an AI job: it has its own row (db/import-schema.ts) but reads by id like one.
  if (await isImportJob(jobId)) return { kind: "import" };
  throw notFound();
}

export async function getJobForApi(actorOrNull: Actor | null, input: unknown): Promise<ApiJobView> {
  const actor = requireActor(actorOrNull);
  const { jobId } = parseInput(jobIdSchema, input);
  const kind = await kindOf(jobId);
  if (kind.kind === "page") return getPageJob(actor, { jobId });
  if (kind.kind === "summaries") return readingAsJob(getSummarizeAllJob(actor, jobId));
  if (kind.kind === "summary") return readingAsJob(getSummaryJob(actor, jobId));
  if (kind.kind === "codex-suggest") return readingAsJob(getCodexSuggestJob(actor, jobId));
  if (kind.kind === "illustration") return getIllustrationJob(actor, { jobId });
  if (kind.kind === "ledger") return getLedgerJob(actor, jobId);
  if (kind.kind === "import") return getImport(actor, { importId: jobId });
  const view = await readingAsJob(getBackgroundRevision(actor, { storyId: kind.storyId, jobId }));
  if (!view) throw notFound();
  return { ...view, jobType: BACKGROUND_JOB_TYPE };
}

/** Cancelling a background revision cancels its unfinished pages; finished pages keep their suggestions. */
export async function cancelJobForApi(actorOrNull: Actor | null, input: unknown): Promise<ApiJobView> {
  const actor = requireActor(actorOrNull);
  const { jobId } = parseInput(jobIdSchema, input);
  const kind = await kindOf(jobId);
  if (kind.kind === "page") return cancelPageJob(actor, { jobId });
  if (kind.kind === "summaries") return readingAsJob(cancelSummarizeAllJob(actor, jobId));
  if (kind.kind === "summary") return readingAsJob(cancelSummaryJob(actor, jobId));
  if (kind.kind === "codex-suggest") return readingAsJob(cancelCodexSuggestJob(actor, jobId));
  // The scene description's own row ends with its Illustrate job.
  if (kind.kind === "illustration") return cancelIllustrationJob(actor, jobId);
  if (kind.kind === "ledger") return cancelLedgerJob(actor, jobId);
  if (kind.kind === "import") {
    // Read first: someone else's import stays a 404.
    await getImport(actor, { importId: jobId });
    throw new AppError("CONFLICT", "An import cannot be cancelled: it either creates the whole story or nothing.");
  }
  return { ...(await readingAsJob(cancelBackgroundRevision(actor, { jobId }))), jobType: BACKGROUND_JOB_TYPE };
}
