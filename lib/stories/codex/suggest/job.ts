import { getDb } from "@/db";
import { cancelFanOutRun, getJob } from "@/lib/ai";
import { AppError } from "@/lib/errors";
import { loadStoryFor } from "../../access";
import { requireActor, type Actor } from "../../actor";
import { CODEX_TARGET, SUGGEST_CODEX_JOB_TYPE } from "../../job-kinds";
import { jobIdSchema, parseInput } from "../../validation";
import { toCodexSuggestRunView, type CodexSuggestRunView } from "./view";

const notFound = () => new AppError("NOT_FOUND", "We couldn't find that job.");

/**
 * A Suggest entries run by job id (the REST job endpoints), for whoever may read its story. Anyone else gets the
 * same NOT_FOUND as for an id that does not exist, so ids reveal nothing.
 */
export async function getCodexSuggestJob(actor: Actor, jobId: string): Promise<CodexSuggestRunView> {
  const db = await getDb();
  const job = await getJob(db, jobId);
  if (!job || job.jobType !== SUGGEST_CODEX_JOB_TYPE || job.targetType !== CODEX_TARGET) throw notFound();
  await loadStoryFor(db, actor, "read", job.targetId, { notFoundMessage: notFound().message });
  return toCodexSuggestRunView(db, job);
}

/**
 * Cancels a Suggest entries run: batches not read yet are cancelled, and a batch whose answer is in but not yet
 * landed proposes nothing (its landing sees the cancelled run). Suggestions landed before the cancel stay for review.
 * Idempotent: a run that already ended is answered as it is.
 */
export async function cancelCodexSuggestJob(actor: Actor, jobId: string): Promise<CodexSuggestRunView> {
  const db = await getDb();
  const view = await getCodexSuggestJob(actor, jobId);
  await loadStoryFor(db, actor, "generate", view.storyId);
  await cancelFanOutRun(db, jobId);
  return getCodexSuggestJob(actor, jobId);
}

/** The author's cancel button: `{ jobId }` of the run shown. */
export async function cancelCodexSuggestRun(actorOrNull: Actor | null, input: unknown): Promise<CodexSuggestRunView> {
  const actor = requireActor(actorOrNull);
  const { jobId } = parseInput(jobIdSchema, input);
  return cancelCodexSuggestJob(actor, jobId);
}
