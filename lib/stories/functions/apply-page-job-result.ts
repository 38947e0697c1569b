import { getDb } from "@/db";
import { inngest } from "@/lib/inngest/client";
import { AI_JOB_SUCCEEDED, type AiJobSucceededData } from "@/lib/inngest/events/ai-job-succeeded";
import { settleFanOutParent } from "@/lib/ai/jobs/fan-out";
import { getJob, markLanded } from "@/lib/ai/jobs/ledger";
import { publishJobUpdate } from "@/lib/ai/jobs/live";
import { PAGE_TARGET } from "../job-kinds";
import { applyPageJobResult } from "../page-jobs/land";

/** Lands a finished page job in its page (or as a suggestion when the page moved on meanwhile). */
export const applyPageJobResultFunction = inngest.createFunction(
  { id: "apply-page-job-result", name: "Apply AI text to its page", triggers: [{ event: AI_JOB_SUCCEEDED }], retries: 5 },
  async ({ event, step }) => {
    const { jobId, targetType, parentJobId: announcedParent } = event.data as AiJobSucceededData;
    if (targetType !== PAGE_TARGET) return { jobId, outcome: "not-a-page" };
    const outcome = await step.run("apply", async () => {
      const result = await applyPageJobResult(jobId);
      // Landed whatever the outcome: a skipped result (page gone) has nothing left to wait for either.
      await markLanded(await getDb(), jobId);
      // Wakes the page's open streams at once instead of at their next poll.
      publishJobUpdate({ jobId, status: "succeeded" });
      return result;
    });
    // A job announced without a parent needs no settling, and skipping the step saves a round trip.
    if (announcedParent === null) return { jobId, outcome };
    // One page of a background revision: only once its suggestion exists may the revision count it as done.
    await step.run("settle-parent", async () => {
      const db = await getDb();
      const parentJobId = announcedParent ?? (await getJob(db, jobId))?.parentJobId;
      if (!parentJobId) return null;
      const parent = await settleFanOutParent(db, parentJobId);
      if (parent) publishJobUpdate({ jobId: parent.id, status: parent.status });
      return parent?.status ?? null;
    });
    return { jobId, outcome };
  },
);
