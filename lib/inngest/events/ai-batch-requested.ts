import { eventType } from "inngest";
import { jobRefSchema } from "./job-ref";

/**
 * A fan-out parent job (e.g. a background revision) is committed and its children can be created. Its event id is
 * the parent job id, so a re-send (sweeper) never fans out twice.
 */
export const aiBatchRequested = eventType("ai/batch.requested", { schema: jobRefSchema });
