import { inngest } from "@/lib/inngest/client";
import { AI_JOB_SUCCEEDED, type AiJobSucceededData } from "@/lib/inngest/events/ai-job-succeeded";
import { publishJobUpdate } from "@/lib/ai/jobs/live";
import { applyPageJobResult, PAGE_TARGET } from "../generation";

/** Lands a finished page job in its page (or as a suggestion when the page moved on meanwhile). */
export const applyPageJobResultFunction = inngest.createFunction(
  { id: "apply-page-job-result", name: "Apply AI text to its page", triggers: [{ event: AI_JOB_SUCCEEDED }], retries: 5 },
  async ({ event, step }) => {
    const { jobId, targetType } = event.data as AiJobSucceededData;
    if (targetType !== PAGE_TARGET) return { jobId, outcome: "not-a-page" };
    const outcome = await step.run("apply", async () => {
      const result = await applyPageJobResult(jobId);
      // Wakes the page's open streams at once instead of at their next poll.
      publishJobUpdate({ jobId, status: "succeeded" });
      return result;
    });
    return { jobId, outcome };
  },
);
