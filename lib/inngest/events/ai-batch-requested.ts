/**
 * A fan-out parent job (e.g. a background revision) is committed and its children can be created. Its event id is
 * the parent job id, so a re-send (sweeper) never fans out twice.
 */
export const AI_BATCH_REQUESTED = "ai/batch.requested";
export interface AiBatchRequestedData {
  jobId: string;
  targetType: string;
  targetId: string;
}
