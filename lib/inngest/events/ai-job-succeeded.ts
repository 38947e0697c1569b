/** Sent after a job's output is in the ledger; the target's owner (the domain) decides how it lands. */
export const AI_JOB_SUCCEEDED = "ai/job.succeeded";
export interface AiJobSucceededData {
  jobId: string;
  targetType: string;
  targetId: string;
  /** Set for a child of a fan-out job, null otherwise; absent in events sent before it existed (look the job up). */
  parentJobId?: string | null;
}
