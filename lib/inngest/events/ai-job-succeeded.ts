/** Sent after a job's output is in the ledger; the target's owner (the domain) decides how it lands. */
export const AI_JOB_SUCCEEDED = "ai/job.succeeded";
export interface AiJobSucceededData {
  jobId: string;
  targetType: string;
  targetId: string;
}
