import { eventType } from "inngest";
import { jobRefSchema } from "./job-ref";

/** Sent by run-ai-job's onFailure once the job is marked failed, so that a fan-out parent can count it. */
export const aiJobFailed = eventType("ai/job.failed", { schema: jobRefSchema });
