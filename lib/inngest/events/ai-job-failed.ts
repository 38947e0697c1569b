/** Sent by run-ai-job's onFailure once the job is marked failed, so that a fan-out parent can count it. */
export const AI_JOB_FAILED = "ai/job.failed";
export interface AiJobFailedData {
  jobId: string;
  targetType: string;
  targetId: string;
}
