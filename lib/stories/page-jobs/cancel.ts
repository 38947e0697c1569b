import { getDb } from "@/db";
import { getJob, markCancelled, requestJobCancel, settleFanOutParent } from "@/lib/ai";
import { log } from "@/lib/log";
import { requireActor, type Actor } from "../actor";
import { jobIdSchema, parseInput } from "../validation";
import { loadPageJobFor } from "./read";
import { toPageJobView, type PageJobView } from "./view";

export async function cancelPageJob(actorOrNull: Actor | null, input: unknown): Promise<PageJobView> {
  const actor = requireActor(actorOrNull);
  const { jobId } = parseInput(jobIdSchema, input);
  const job = await loadPageJobFor(actor, "generate", jobId);
  const db = await getDb();
  const cancelled = await markCancelled(db, job.id);
  // Cancelling one page of a background revision may end the revision; no run reports a cancelled job.
  if (cancelled?.parentJobId) await settleFanOutParent(db, cancelled.parentJobId);
  if (cancelled) {
    try {
      await requestJobCancel(job.id);
    } catch (error) {
      // The ledger already says cancelled; the run's next step sees that and stops.
      log("warn", "cancel event not sent", { jobId: job.id, error });
    }
  }
  return toPageJobView(cancelled ?? (await getJob(db, job.id))!);
}
