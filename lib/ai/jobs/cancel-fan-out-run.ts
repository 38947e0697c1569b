import type { Db } from "@/db";
import { log } from "@/lib/log";
import { cancelFanOut } from "./fan-out";
import { publishJobUpdate } from "./live";
import { requestJobCancel } from "./queue";

/**
 * Cancels a fan-out (a background revision, Summarize all, Suggest entries) in the ledger, then tells the open pages
 * and the running functions. The ledger is the truth: a cancel event that cannot be sent only delays the stop until
 * the run's next step (or its next partial-text flush), which reads the cancelled status. Idempotent.
 */
export async function cancelFanOutRun(db: Db, parentJobId: string): Promise<void> {
  const cancelled = await cancelFanOut(db, parentJobId);
  if (!cancelled) return;
  for (const job of [cancelled.parent, ...cancelled.children]) {
    publishJobUpdate({ jobId: job.id, status: "cancelled" });
    try {
      await requestJobCancel(job.id);
    } catch (error) {
      log("warn", "cancel event not sent", { jobId: job.id, error });
    }
  }
}
