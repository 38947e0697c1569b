import type { AiJob } from "@/db/ai-schema";
import type { Db } from "@/db";
import { log } from "@/lib/log";
import { settleFanOutParent } from "./fan-out";
import { getJob, markCancelled } from "./ledger";
import { requestJobCancel } from "./queue";

/**
 * Cancels one job (a page's, a summary, a roll-up, one batch) in the ledger, settles its fan-out parent (cancelling
 * the last open part may end it; no run reports a cancelled job), then tells the running function. The ledger is the
 * truth: a cancel event that cannot be sent only delays the stop until the run's next step. Idempotent: a job already
 * settled is returned as it is.
 */
export async function cancelOneJob(db: Db, jobId: string): Promise<AiJob> {
  const cancelled = await markCancelled(db, jobId);
  if (cancelled?.parentJobId) await settleFanOutParent(db, cancelled.parentJobId);
  if (cancelled) {
    try {
      await requestJobCancel(jobId);
    } catch (error) {
      log("warn", "cancel event not sent", { jobId, error });
    }
  }
  return cancelled ?? (await getJob(db, jobId))!;
}
