import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db";
import { aiJobs } from "@/db/ai-schema";
import { cancelFanOutRun, cancelOneJob, getJob, listChildren, markDiscarded, publishJobUpdate } from "@/lib/ai";
import { AppError } from "@/lib/errors";
import { requireActor, type Actor } from "../actor";
import { TAKE_JOB_TYPE } from "../job-kinds";
import { applyPageJobResult } from "../page-jobs/land";
import { idField, parseInput } from "../validation";
import type { TakeSetPayload } from "./payload";
import { loadTakeSetFor, toTakeSetView, type TakeSetView } from "./view";

const setIdSchema = z.object({ setId: idField });
const chooseSchema = z.object({ setId: idField, takeId: idField });

const isActive = (status: string) => status === "pending" || status === "running";

/** A take set with its takes, for anyone who may read the page's story. */
export async function getTakeSet(actorOrNull: Actor | null, input: unknown): Promise<TakeSetView> {
  const actor = requireActor(actorOrNull);
  const { setId } = parseInput(setIdSchema, input);
  const db = await getDb();
  const { set } = await loadTakeSetFor(db, actor, "read", setId);
  return toTakeSetView(db, set);
}

/**
 * The author chooses a take: it lands as Generate's text would (a revision when the page is still at the version the
 * takes were written from, otherwise a suggestion), takes still being written are cancelled, and every other take is
 * discarded — kept in the ledger, written nowhere. The choice is claimed with one conditional update, so two tabs
 * choosing at once cannot both land; choosing the chosen take again repeats its (idempotent) landing.
 */
export async function chooseTake(actorOrNull: Actor | null, input: unknown): Promise<TakeSetView> {
  const actor = requireActor(actorOrNull);
  const { setId, takeId } = parseInput(chooseSchema, input);
  const db = await getDb();
  const { set, page } = await loadTakeSetFor(db, actor, "generate", setId);
  const payload = set.promptPayload as TakeSetPayload;
  const take = await getJob(db, takeId);
  // A take of another set (another page's, say) is named as such without saying anything about it.
  if (!take || take.jobType !== TAKE_JOB_TYPE || take.parentJobId !== set.id)
    throw new AppError("VALIDATION", "That take is not one of this take set's takes.", {
      fields: { takeId: "Not a take of this set." },
    });
  if (payload.chosen) {
    if (payload.chosen.takeJobId !== take.id)
      throw new AppError("CONFLICT", "A take of this set was already chosen.", {
        chosenTakeId: payload.chosen.takeJobId,
      });
    // The same choice again (a retried request): its landing is idempotent.
    await land(set.id, take.id, page.id);
    return toTakeSetView(db, (await getJob(db, set.id))!);
  }
  if (set.discardedAt !== null || set.status === "cancelled")
    throw new AppError("CONFLICT", "This take set was cancelled: its takes can no longer be chosen.");
  if (take.discardedAt !== null) throw new AppError("CONFLICT", "That take was discarded: it can no longer be chosen.");
  if (isActive(take.status)) throw new AppError("CONFLICT", "That take is still being written. Wait for it to finish.");
  if (take.status !== "succeeded")
    throw new AppError("CONFLICT", "That take did not finish, so there is no text to choose. Ask for another take.");
  if (page.deletedAt) throw new AppError("CONFLICT", "The page was deleted: there is nowhere to put the take.");

  const chosen = { takeJobId: take.id, at: new Date().toISOString(), landing: "pending" };
  const [claimed] = await db
    .update(aiJobs)
    .set({
      promptPayload: sql`${aiJobs.promptPayload} || ${JSON.stringify({ chosen })}::jsonb`,
      updatedAt: new Date(),
    })
    .where(
      and(
        eq(aiJobs.id, set.id),
        sql`coalesce(${aiJobs.promptPayload} -> 'chosen', 'null'::jsonb) = 'null'::jsonb`,
        sql`${aiJobs.discardedAt} is null`,
      ),
    )
    .returning({ id: aiJobs.id });
  if (!claimed) throw new AppError("CONFLICT", "A take of this set was already chosen, or the set was cancelled.");

  const others = (await listChildren(db, set.id)).filter((c) => c.id !== take.id);
  for (const other of others) if (isActive(other.status)) await cancelOneJob(db, other.id);
  await markDiscarded(
    db,
    others.map((o) => o.id),
  );
  await land(set.id, take.id, page.id);
  const updated = (await getJob(db, set.id))!;
  publishJobUpdate({ jobId: set.id, status: updated.status, scopeId: updated.scopeId });
  return toTakeSetView(db, updated);
}

async function land(setId: string, takeId: string, pageId: string): Promise<void> {
  const db = await getDb();
  const landing = await applyPageJobResult(takeId, { chosenTakeOf: { pageId } });
  await db
    .update(aiJobs)
    .set({
      promptPayload: sql`jsonb_set(${aiJobs.promptPayload}, '{chosen,landing}', ${JSON.stringify(landing)}::jsonb)`,
      updatedAt: new Date(),
    })
    .where(eq(aiJobs.id, setId));
}

/**
 * Cancel: takes still being written stop, and the set and all its takes are discarded (kept in the ledger, written
 * nowhere); the page is free for a new set. A set already chosen cannot be cancelled.
 */
export async function cancelTakeSet(actorOrNull: Actor | null, input: unknown): Promise<TakeSetView> {
  const actor = requireActor(actorOrNull);
  const { setId } = parseInput(setIdSchema, input);
  const db = await getDb();
  const { set } = await loadTakeSetFor(db, actor, "generate", setId);
  if ((set.promptPayload as TakeSetPayload).chosen)
    throw new AppError("CONFLICT", "A take of this set was already chosen: there is nothing to cancel.");
  if (isActive(set.status)) await cancelFanOutRun(db, set.id);
  const children = await listChildren(db, set.id);
  await markDiscarded(db, [set.id, ...children.map((c) => c.id)]);
  const updated = (await getJob(db, set.id))!;
  publishJobUpdate({ jobId: set.id, status: updated.status, scopeId: updated.scopeId });
  return toTakeSetView(db, updated);
}
