import { inngest } from "@/lib/inngest/client";
import { AI_JOB_CANCEL_REQUESTED } from "@/lib/inngest/events/ai-job-cancel-requested";
import { AI_JOB_REQUESTED } from "@/lib/inngest/events/ai-job-requested";
import type { AiJob } from "@/db/ai-schema";

/** Hands a committed job to Inngest. The event id is the job id: sending twice never starts two runs. */
export async function enqueueJob(job: Pick<AiJob, "id" | "targetType" | "targetId">): Promise<void> {
  await inngest.send({ id: job.id, name: AI_JOB_REQUESTED, data: { jobId: job.id, targetType: job.targetType, targetId: job.targetId } });
}

export async function requestJobCancel(jobId: string): Promise<void> {
  await inngest.send({ name: AI_JOB_CANCEL_REQUESTED, data: { jobId } });
}
