import { getDb } from "@/db";
import { cancelFanOut, getJob, publishJobUpdate, requestJobCancel } from "@/lib/ai";
import { log } from "@/lib/log";
import { requireActor, type Actor } from "../actor";
import { jobIdSchema, parseInput } from "../validation";
import { loadRevisionFor, toBackgroundRevisionView, type BackgroundRevisionView } from "./view";

/** Cancels the revision: pages not finished yet are cancelled; finished pages keep their suggestions. */
export async function cancelBackgroundRevision(
  actorOrNull: Actor | null,
  input: unknown,
): Promise<BackgroundRevisionView> {
  const actor = requireActor(actorOrNull);
  const { jobId } = parseInput(jobIdSchema, input);
  const db = await getDb();
  const { parent } = await loadRevisionFor(db, actor, "generate", jobId);
  const cancelled = await cancelFanOut(db, parent.id);
  if (cancelled) {
    for (const job of [cancelled.parent, ...cancelled.children]) {
      publishJobUpdate({ jobId: job.id, status: "cancelled" });
      try {
        await requestJobCancel(job.id);
      } catch (error) {
        // The ledger already says cancelled; a run sees that at its next step (or its next partial-text flush).
        log("warn", "cancel event not sent", { jobId: job.id, error });
      }
    }
  }
  return toBackgroundRevisionView(db, (await getJob(db, parent.id))!);
}
