import { getDb } from "@/db";
import { cancelFanOutRun, getJob } from "@/lib/ai";
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
  await cancelFanOutRun(db, parent.id);
  return toBackgroundRevisionView(db, (await getJob(db, parent.id))!);
}
