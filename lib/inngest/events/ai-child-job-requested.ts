import { eventType } from "inngest";
import { jobRefSchema } from "./job-ref";

/**
 * A child of a fan-out job is committed. Same payload as ai/job.requested, but run by run-ai-child-job under the
 * background concurrency limit, so a large background revision never takes the editor's Generate slots.
 */
export const aiChildJobRequested = eventType("ai/child-job.requested", { schema: jobRefSchema });
