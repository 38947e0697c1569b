import type { Db } from "@/db";
import type { AiJob } from "@/db/ai-schema";
import { log } from "@/lib/log";
import { publishJobUpdate } from "./live";
import { createOrJoinJob, type JobAdmission, type NewJob } from "./ledger";
import { enqueueJob } from "./queue";

/**
 * Records a job (or joins the one already active on its target) and hands a new one to Inngest. The row is the
 * outbox: when the event cannot be sent, the job stays pending and the sweeper sends it again, so the caller still
 * answers with the job rather than an error.
 */
export async function submitJob(db: Db, job: NewJob, admit?: JobAdmission): Promise<{ job: AiJob; created: boolean }> {
  const outcome = await createOrJoinJob(db, job, admit);
  if (outcome.created) await announceJob(outcome.job);
  return outcome;
}

/**
 * Hands a newly recorded job to Inngest and to live views. A caller that records jobs inside its own transaction
 * (createOrJoinJob with the transaction) calls this after the commit: a runner handed the job earlier would not find
 * its row.
 */
export async function announceJob(job: AiJob): Promise<void> {
  // A live view of the job's scope opened before it existed follows it from now, not from its next poll.
  publishJobUpdate({ jobId: job.id, status: job.status, scopeId: job.scopeId });
  try {
    await enqueueJob(job);
  } catch (error) {
    log("warn", "ai job event not sent; left for the sweeper", { jobId: job.id, jobType: job.jobType, error });
  }
}
