import { eventType } from "inngest";
import { jobRefSchema } from "./job-ref";

/**
 * Sent once a top-level job row is committed (event id = job id); the sweeper re-sends it under a fresh id. The runner
 * is idempotent on `data.jobId`, so no re-send runs a job twice.
 */
export const aiJobRequested = eventType("ai/job.requested", {
  // A parent only for the children the author waits for (takes: lib/ai/job-types/kinds.ts foregroundChildJobTypes).
  schema: jobRefSchema,
});
