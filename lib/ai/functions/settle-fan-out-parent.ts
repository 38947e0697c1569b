import { getDb } from "@/db";
import { inngest } from "@/lib/inngest/client";
import { AI_JOB_FAILED, type AiJobFailedData } from "@/lib/inngest/events/ai-job-failed";
import { getJob } from "../jobs/ledger";
import { settleFanOutParent } from "../jobs/fan-out";
import { publishJobUpdate } from "../jobs/live";

/**
 * A failed child may be the last one of its fan-out parent: end the parent then. (A succeeded child settles its
 * parent after its result has landed, in the domain's landing function; a cancelled one where it was cancelled.)
 */
export const settleFanOutParentOnFailure = inngest.createFunction(
  { id: "settle-fan-out-parent", name: "Settle a fan-out job after a child failed", triggers: [{ event: AI_JOB_FAILED }], retries: 5 },
  async ({ event, step }) => {
    const { jobId } = event.data as AiJobFailedData;
    return step.run("settle", async () => {
      const db = await getDb();
      const child = await getJob(db, jobId);
      if (!child?.parentJobId) return { jobId, parent: null };
      const parent = await settleFanOutParent(db, child.parentJobId);
      if (parent) publishJobUpdate({ jobId: parent.id, status: parent.status });
      return { jobId, parent: parent?.status ?? null };
    });
  },
);
