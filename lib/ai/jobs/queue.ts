import { inngest } from "@/lib/inngest/client";
import { aiBatchRequested } from "@/lib/inngest/events/ai-batch-requested";
import { aiChildJobRequested } from "@/lib/inngest/events/ai-child-job-requested";
import { aiJobCancelRequested } from "@/lib/inngest/events/ai-job-cancel-requested";
import { aiJobRequested } from "@/lib/inngest/events/ai-job-requested";
import type { AiJob } from "@/db/ai-schema";
import { isBackgroundJobType, isFanOutJobType } from "../job-types/kinds";

type Enqueueable = Pick<AiJob, "id" | "jobType" | "targetType" | "targetId" | "parentJobId">;

/**
 * Hands a committed job to Inngest. The event id is the job id: sending twice never starts two runs. A fan-out
 * parent goes to its fan-out function, a child — or a job of a background type, such as the summary after an edit,
 * which has no parent — to the background runner (its own concurrency limit), any other job to run-ai-job; the sweeper re-sends through here too, so each kind always gets its own event. The payload is
 * checked against the event's schema before it leaves.
 */
export async function enqueueJob(job: Enqueueable): Promise<void> {
  const ref = { jobId: job.id, jobType: job.jobType, targetType: job.targetType, targetId: job.targetId };
  const options = { id: job.id };
  if (isFanOutJobType(job.jobType)) {
    await inngest.send(aiBatchRequested.create({ ...ref, parentJobId: job.parentJobId }, options));
  } else if (job.parentJobId || isBackgroundJobType(job.jobType)) {
    await inngest.send(aiChildJobRequested.create({ ...ref, parentJobId: job.parentJobId }, options));
  } else {
    await inngest.send(aiJobRequested.create({ ...ref, parentJobId: null }, options));
  }
}

export async function requestJobCancel(jobId: string): Promise<void> {
  await inngest.send(aiJobCancelRequested.create({ jobId }));
}
