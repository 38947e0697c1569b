import { inngest } from "@/lib/inngest/client";
import { aiBatchRequested } from "@/lib/inngest/events/ai-batch-requested";
import { aiChildJobRequested } from "@/lib/inngest/events/ai-child-job-requested";
import { aiJobCancelRequested } from "@/lib/inngest/events/ai-job-cancel-requested";
import { aiJobRequested } from "@/lib/inngest/events/ai-job-requested";
import { illustrationRequested } from "@/lib/inngest/events/illustration-requested";
import type { AiJob } from "@/db/ai-schema";
import {
  isBackgroundJobType,
  isFanOutJobType,
  isForegroundChildJobType,
  isIllustrationJobType,
} from "../job-types/kinds";
import { noteForegroundJob } from "./foreground";

type Enqueueable = Pick<AiJob, "id" | "jobType" | "targetType" | "targetId" | "parentJobId"> &
  (Partial<Pick<AiJob, "renderedPrompt">> | { prerendered: boolean });

/**
 * Hands a committed job to Inngest. Its runners are idempotent on the job id (`idempotency: "event.data.jobId"`): a
 * job never gets two runs, whatever events carry it. The first send uses the job id as event id (a send the caller
 * retries is stored once); a re-send (`resend`, the sweeper) gets a fresh event id, because an event id already seen
 * is dropped for 24 h without a look at whether it started anything — and a job is re-sent precisely when its first
 * event started nothing (it arrived before the functions were registered, or was never sent). A fan-out parent goes
 * to its fan-out function, a child — or a job of a background type, such as the summary after an edit, which has no
 * parent — to the background runner (its own concurrency limit), any other job to run-ai-job; the sweeper re-sends
 * through here too, so each kind always gets its own event. The payload is
 * checked against the event's schema before it leaves.
 */
export async function enqueueJob(job: Enqueueable, { resend = false }: { resend?: boolean } = {}): Promise<void> {
  const ref = { jobId: job.id, jobType: job.jobType, targetType: job.targetType, targetId: job.targetId };
  const options = resend ? {} : { id: job.id };
  if (isIllustrationJobType(job.jobType)) {
    await inngest.send(illustrationRequested.create({ ...ref, parentJobId: null }, options));
  } else if (isFanOutJobType(job.jobType)) {
    await inngest.send(aiBatchRequested.create({ ...ref, parentJobId: job.parentJobId }, options));
  } else if (job.parentJobId && isForegroundChildJobType(job.jobType)) {
    noteForegroundJob(job.id);
    await inngest.send(aiJobRequested.create({ ...ref, parentJobId: job.parentJobId }, options));
  } else if (job.parentJobId || isBackgroundJobType(job.jobType)) {
    await inngest.send(aiChildJobRequested.create({ ...ref, parentJobId: job.parentJobId }, options));
  } else {
    noteForegroundJob(job.id);
    // A job recorded with its prompt (lib/ai/jobs/prerender.ts) says so: its run skips the render step.
    const prerendered = "prerendered" in job ? job.prerendered : job.renderedPrompt != null;
    await inngest.send(
      aiJobRequested.create({ ...ref, parentJobId: null, ...(prerendered ? { prerendered } : {}) }, options),
    );
  }
}

/** Every function that runs a job declares this, so that a job is run at most once (see enqueueJob). */
export const ONE_RUN_PER_JOB = "event.data.jobId";

export async function requestJobCancel(jobId: string): Promise<void> {
  await inngest.send(aiJobCancelRequested.create({ jobId }));
}
