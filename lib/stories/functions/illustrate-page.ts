import { getDb } from "@/db";
import { markFailed, publishJobUpdate } from "@/lib/ai";
import { inngest } from "@/lib/inngest/client";
import { aiJobCancelRequested } from "@/lib/inngest/events/ai-job-cancel-requested";
import { illustrationRequested } from "@/lib/inngest/events/illustration-requested";
import { runIllustrationJob, type IllustrationRunOptions } from "../illustrations/run";

/**
 * Illustrate page: scene, prompt, then image and storage, each an engine step (lib/stories/illustrations/run.ts).
 * Retries live inside the draw step (backoff, timeout), so the engine does not retry: an unexpected failure is
 * recorded as INTERNAL by onFailure. Its own concurrency key (the page's illustration), so it never waits for, nor
 * delays, the page's text jobs.
 */
export function createIllustratePage(options: Omit<IllustrationRunOptions, "step"> = {}) {
  return inngest.createFunction(
    {
      id: "illustrate-page",
      name: "Illustrate a page",
      triggers: [illustrationRequested],
      retries: 0,
      idempotency: "event.data.jobId",
      concurrency: [{ key: "event.data.targetId", limit: 1 }, { limit: 2 }],
      cancelOn: [{ event: aiJobCancelRequested.name, if: "event.data.jobId == async.data.jobId" }],
      onFailure: async ({ event, error, step }) => {
        const { jobId } = event.data.event.data;
        await step.run("mark-failed", async () => {
          const job = await markFailed(await getDb(), jobId, "INTERNAL", error.message);
          publishJobUpdate({ jobId, status: job?.status ?? "failed" });
        });
      },
    },
    async ({ event, step }) => {
      const result = await runIllustrationJob(event.data.jobId, {
        ...options,
        step: (name, run) => step.run(name, run) as never,
      });
      return { jobId: event.data.jobId, outcome: result.outcome };
    },
  );
}
