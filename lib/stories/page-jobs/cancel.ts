import { getDb } from "@/db";
import { cancelOneJob } from "@/lib/ai";
import { requireActor, type Actor } from "../actor";
import { jobIdSchema, parseInput } from "../validation";
import { loadPageJobFor } from "./read";
import { toPageJobView, type PageJobView } from "./view";

export async function cancelPageJob(actorOrNull: Actor | null, input: unknown): Promise<PageJobView> {
  const actor = requireActor(actorOrNull);
  const { jobId } = parseInput(jobIdSchema, input);
  const job = await loadPageJobFor(actor, "generate", jobId);
  return toPageJobView(await cancelOneJob(await getDb(), job.id));
}
