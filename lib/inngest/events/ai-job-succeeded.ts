import { eventType } from "inngest";
import { jobRefSchema } from "./job-ref";

/**
 * Sent after a job's output is in the ledger; the landing function of its job type (the domain's) decides how it
 * lands. Its job type lets each landing function pick its own jobs without a read.
 */
export const aiJobSucceeded = eventType("ai/job.succeeded", { schema: jobRefSchema });
