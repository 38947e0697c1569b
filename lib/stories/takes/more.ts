import { and, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db";
import { aiJobs, type AiJob } from "@/db/ai-schema";
import { createChildJob, findActiveJob, getJob, listChildren, lockRequester } from "@/lib/ai";
import { AppError } from "@/lib/errors";
import { requireActor, type Actor } from "../actor";
import { PAGE_TARGET } from "../job-kinds";
import { limits } from "../limits";
import { assertCanRequestAi } from "../spending-policy";
import { idField, parseInput } from "../validation";
import { samplingFor, type TakeSetPayload } from "./payload";
import { announce, buildTakePrompt, takeJob } from "./request";
import { loadTakeSetFor, toTakeSetView, type TakeSetView } from "./view";

const moreSchema = z.object({ setId: idField });

/**
 * Another take: one more child of the open set, with the next sampling, the others kept as they are. Admitted like
 * one request (rate limit, the budget must cover its prompt). A set whose takes had all finished is running again
 * until the new take has (it is the page's text job again, so a Generate running on the page meanwhile answers
 * CONFLICT). The prompt is built from the page as it is now: the take lands against that version.
 */
export async function requestAnotherTake(actorOrNull: Actor | null, input: unknown): Promise<TakeSetView> {
  const actor = requireActor(actorOrNull);
  const { setId } = parseInput(moreSchema, input);
  const db = await getDb();
  const { set, page, story } = await loadTakeSetFor(db, actor, "generate", setId);
  assertOpen(set);
  if (page.deletedAt) throw new AppError("CONFLICT", "The page was deleted: there is nothing to write a take for.");
  const payload = set.promptPayload as TakeSetPayload;
  const prompt = await buildTakePrompt(db, story, page, payload.mode, set.instruction);

  const child = await db.transaction(async (tx) => {
    await lockRequester(tx, actor.id);
    // The set's row is locked while the take is added, so two "another take" requests count each other.
    await tx.execute(sql`select id from ${aiJobs} where id = ${set.id} for update`);
    const current = (await getJob(tx, set.id))!;
    assertOpen(current);
    const children = await listChildren(tx, set.id);
    if (children.length >= limits.takesPerSetMax)
      throw new AppError(
        "LIMIT_EXCEEDED",
        `A take set holds at most ${limits.takesPerSetMax} takes. Choose one, or cancel the set and start again.`,
      );
    const active = await findActiveJob(tx, PAGE_TARGET, page.id);
    if (active && active.id !== set.id)
      throw new AppError("CONFLICT", "The AI is already working on this page. Wait for it to finish, or cancel it.", {
        activeJobId: active.id,
      });
    await assertCanRequestAi(tx, actor, {
      jobs: 1,
      requests: 1,
      tokens: prompt.estimatedTokens,
      skipUsageWhenUnlimited: true,
    });
    if (!active) {
      // The set had ended (every take done): it is the page's text job again until the new take has.
      await tx
        .update(aiJobs)
        .set({ status: "running", errorCode: null, errorMessage: null, completedAt: null, updatedAt: new Date() })
        .where(and(eq(aiJobs.id, set.id), inArray(aiJobs.status, ["succeeded", "failed"])));
    }
    const sampling = samplingFor(children.length, payload.baseSeed);
    return (await createChildJob(tx, set.id, takeJob(current, prompt, crypto.randomUUID(), sampling))).job;
  });
  await announce(child);
  return toTakeSetView(db, (await getJob(db, set.id))!);
}

function assertOpen(set: AiJob): void {
  if ((set.promptPayload as TakeSetPayload).chosen)
    throw new AppError("CONFLICT", "A take of this set was already chosen: ask for new takes instead.");
  if (set.discardedAt !== null || set.status === "cancelled")
    throw new AppError("CONFLICT", "This take set was cancelled: ask for new takes instead.");
}
