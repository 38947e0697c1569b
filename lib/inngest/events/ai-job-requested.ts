/** Sent once the job row is committed. Its event id is the job id, so a re-send (sweeper, retry) never runs it twice. */
export const AI_JOB_REQUESTED = "ai/job.requested";
export interface AiJobRequestedData {
  jobId: string;
  targetType: string;
  targetId: string;
}
