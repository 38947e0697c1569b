/** Stops a job's run between steps (cancelOn); the generate step also watches the ledger and aborts mid-stream. */
export const AI_JOB_CANCEL_REQUESTED = "ai/job.cancel-requested";
export interface AiJobCancelRequestedData {
  jobId: string;
}
