import { eventType } from "inngest";
import { jobRefSchema } from "./job-ref";

/**
 * A child of a fan-out job is committed, or a top-level job of a background type (the summary after an edit, whose
 * `parentJobId` is null). Same payload as ai/job.requested, but run by run-ai-child-job under the background
 * concurrency limit, so a large background revision or a stream of summaries never takes the editor's Generate slots.
 */
export const aiChildJobRequested = eventType("ai/child-job.requested", { schema: jobRefSchema });
