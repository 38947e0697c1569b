import { eventType } from "inngest";
import { z } from "zod";
import { jobRefSchema } from "./job-ref";

/**
 * Sent once a top-level job row is committed. Its event id is the job id, so a re-send (sweeper, retry) never runs
 * it twice.
 */
export const aiJobRequested = eventType("ai/job.requested", { schema: jobRefSchema.extend({ parentJobId: z.null() }) });
