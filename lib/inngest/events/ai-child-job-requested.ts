/**
 * A child of a fan-out job is committed. Same payload as ai/job.requested, but run by run-ai-child-job under the
 * background concurrency limit, so a large background revision never takes the editor's Generate slots.
 */
export const AI_CHILD_JOB_REQUESTED = "ai/child-job.requested";
export interface AiChildJobRequestedData {
  jobId: string;
  targetType: string;
  targetId: string;
  parentJobId: string;
}
