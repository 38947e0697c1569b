import { eventType } from "inngest";
import { z } from "zod";
import { jobRefSchema } from "./job-ref";

/**
 * Sent after a job's output is in the ledger. `landed`: its run already landed it through its job type (the common
 * case, lib/ai/job-types/steps.ts finishJob); otherwise (absent: sent before runs landed results) the landing
 * function of its job type (the domain's) decides how it lands. Its job type lets each landing function pick its own
 * jobs without a read.
 */
export const aiJobSucceeded = eventType("ai/job.succeeded", {
  schema: jobRefSchema.extend({ landed: z.boolean().optional() }),
});
