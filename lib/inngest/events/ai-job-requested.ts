import { eventType } from "inngest";
import { z } from "zod";
import { isForegroundChildJobType } from "@/lib/ai/job-types/kinds";
import { jobRefSchema } from "./job-ref";

/**
 * Sent once a top-level job row is committed (event id = job id); the sweeper re-sends it under a fresh id. The runner
 * is idempotent on `data.jobId`, so no re-send runs a job twice. Only the children the author waits for (takes:
 * lib/ai/job-types/kinds.ts foregroundChildJobTypes) come this way with a parent; other children have their own event.
 */
export const aiJobRequested = eventType("ai/job.requested", {
  schema: jobRefSchema
    // The job's prompt was rendered into its row when it was requested (lib/ai/jobs/prerender.ts): its run starts
    // with generate. Absent (older events, the sweeper's re-send of a job rendered in its run): the run renders it.
    .extend({ prerendered: z.boolean().optional() })
    .refine((d) => d.parentJobId === null || isForegroundChildJobType(d.jobType), {
      path: ["parentJobId"],
      message: "only a take names a parent here (other children: ai/child-job.requested)",
    }),
});
