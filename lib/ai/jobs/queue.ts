import { inngest } from "@/lib/inngest/client";
import { AI_BATCH_REQUESTED } from "@/lib/inngest/events/ai-batch-requested";
import { AI_CHILD_JOB_REQUESTED } from "@/lib/inngest/events/ai-child-job-requested";
import { AI_JOB_CANCEL_REQUESTED } from "@/lib/inngest/events/ai-job-cancel-requested";
import { AI_JOB_REQUESTED } from "@/lib/inngest/events/ai-job-requested";
import type { AiJob } from "@/db/ai-schema";
import { isFanOutJobType } from "./fan-out-types";

type Enqueueable = Pick<AiJob, "id" | "targetType" | "targetId"> & Partial<Pick<AiJob, "jobType" | "parentJobId">>;

/**
 * Hands a committed job to Inngest. The event id is the job id: sending twice never starts two runs. A fan-out
 * parent goes to its fan-out function, a child to the background runner (its own concurrency limit), any other job
 * to run-ai-job; the sweeper re-sends through here too, so each kind always gets its own event.
 */
export async function enqueueJob(job: Enqueueable): Promise<void> {
  const data = { jobId: job.id, targetType: job.targetType, targetId: job.targetId };
  if (job.jobType && isFanOutJobType(job.jobType)) {
    await inngest.send({ id: job.id, name: AI_BATCH_REQUESTED, data });
  } else if (job.parentJobId) {
    await inngest.send({ id: job.id, name: AI_CHILD_JOB_REQUESTED, data: { ...data, parentJobId: job.parentJobId } });
  } else {
    await inngest.send({ id: job.id, name: AI_JOB_REQUESTED, data });
  }
}

export async function requestJobCancel(jobId: string): Promise<void> {
  await inngest.send({ name: AI_JOB_CANCEL_REQUESTED, data: { jobId } });
}
