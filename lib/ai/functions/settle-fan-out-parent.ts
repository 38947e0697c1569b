import { getDb } from "@/db";
import { inngest } from "@/lib/inngest/client";
import { aiJobFailed } from "@/lib/inngest/events/ai-job-failed";
import { settleParent } from "../job-types/steps";

/**
 * A failed child may be the last one of its fan-out parent: end the parent then. (A succeeded child settles its
 * parent after its result has landed, in the domain's landing function; a cancelled one where it was cancelled.)
 */
export const settleFanOutParentOnFailure = inngest.createFunction(
  {
    id: "settle-fan-out-parent",
    name: "Settle a fan-out job after a child failed",
    triggers: [aiJobFailed],
    retries: 5,
  },
  async ({ event, step }) => {
    const { jobId, parentJobId } = event.data;
    if (parentJobId === null) return { jobId, parent: null };
    return step.run("settle", async () => ({ jobId, parent: await settleParent(await getDb(), parentJobId) }));
  },
);
