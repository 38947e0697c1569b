import { getDb } from "@/db";
import type { AiJob } from "@/db/ai-schema";
import { cancelOneJob, getJob } from "@/lib/ai";
import { AppError, isAppError, jobFailureMessage } from "@/lib/errors";
import { loadStoryFor, type StoryAction } from "./access";
import type { Actor } from "./actor";
import { modelLabel, STORY_SCOPE } from "./job-kinds";

/*
 * Every job the job list shows can be read and cancelled by id. Jobs without a view of their own (a roll-up of a run
 * of pages, one batch of Suggest entries) read as their ledger row, for whoever may read the story they belong to.
 */

export interface LedgerJobView {
  id: string;
  jobType: AiJob["jobType"];
  status: AiJob["status"];
  storyId: string;
  targetType: string;
  targetId: string;
  parentJobId: string | null;
  provider: string;
  model: string;
  modelLabel: string;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  attempts: number;
  errorCode: string | null;
  errorMessage: string | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
}

const notFound = () => new AppError("NOT_FOUND", "We couldn't find that job.");

function toLedgerJobView(job: AiJob & { scopeId: string }): LedgerJobView {
  return {
    id: job.id,
    jobType: job.jobType,
    status: job.status,
    storyId: job.scopeId,
    targetType: job.targetType,
    targetId: job.targetId,
    parentJobId: job.parentJobId,
    provider: job.provider,
    model: job.model,
    modelLabel: modelLabel(job.provider, job.model),
    inputTokens: job.inputTokens,
    outputTokens: job.outputTokens,
    costUsd: job.costUsd === null ? null : Number(job.costUsd),
    attempts: job.attempts,
    errorCode: job.errorCode,
    errorMessage: job.errorCode ? jobFailureMessage(job.errorCode, "item") : null,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    completedAt: job.completedAt?.toISOString() ?? null,
  };
}

async function loadLedgerJobFor(actor: Actor, action: StoryAction, jobId: string) {
  const db = await getDb();
  const job = await getJob(db, jobId);
  if (!job || job.scopeType !== STORY_SCOPE || job.scopeId === null) throw notFound();
  try {
    await loadStoryFor(db, actor, action, job.scopeId);
  } catch (error) {
    if (isAppError(error) && error.code === "NOT_FOUND") throw notFound();
    throw error;
  }
  return { db, job: { ...job, scopeId: job.scopeId } };
}

export async function getLedgerJob(actor: Actor, jobId: string): Promise<LedgerJobView> {
  return toLedgerJobView((await loadLedgerJobFor(actor, "read", jobId)).job);
}

/** Cancels the job (idempotent: a finished one is returned as it is); a batch's parent settles without it. */
export async function cancelLedgerJob(actor: Actor, jobId: string): Promise<LedgerJobView> {
  const { db, job } = await loadLedgerJobFor(actor, "generate", jobId);
  const now = await cancelOneJob(db, job.id);
  return toLedgerJobView({ ...now, scopeId: job.scopeId });
}
