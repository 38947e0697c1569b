import { eventType } from "inngest";
import { z } from "zod";
import { jobRefSchema } from "./job-ref";

/**
 * Sent once a `page.illustrate` job row is committed (event id = job id; the sweeper re-sends it under a fresh id).
 * Its own event, not ai/job.requested: the generic text runner must never pick an image job up.
 */
export const illustrationRequested = eventType("ai/illustration.requested", {
  schema: jobRefSchema.extend({ parentJobId: z.null() }),
});
