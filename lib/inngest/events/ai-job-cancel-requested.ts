import { eventType } from "inngest";
import { z } from "zod";

/** Stops a job's run between steps (cancelOn); the generate step also watches the ledger and aborts mid-stream. */
export const aiJobCancelRequested = eventType("ai/job.cancel-requested", { schema: z.object({ jobId: z.uuid() }) });
