import { eventType } from "inngest";
import { jobRefSchema } from "./job-ref";

/**
 * A fan-out parent job (e.g. a background revision) is committed and its children can be created. The fan-out
 * function is idempotent on `data.jobId`, so a re-send (sweeper, under a fresh event id) never fans out twice.
 */
export const aiBatchRequested = eventType("ai/batch.requested", { schema: jobRefSchema });
