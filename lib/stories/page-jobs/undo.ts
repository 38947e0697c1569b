import { and, eq } from "drizzle-orm";
import { getDb } from "@/db";
import { pageRevisions } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { requireActor, type Actor } from "../actor";
import { writePageContent } from "../pages";
import { jobIdSchema, parseInput } from "../validation";
import { loadPageJobFor } from "./read";

/**
 * Undo of an AI write: brings back the text from before the job, as a new revision. Refused with CONFLICT when the
 * page was edited after the AI wrote it (the history panel can still restore any version).
 */
export async function undoPageJob(actorOrNull: Actor | null, input: unknown) {
  const actor = requireActor(actorOrNull);
  const { jobId } = parseInput(jobIdSchema, input);
  const job = await loadPageJobFor(actor, "edit", jobId);
  const db = await getDb();
  const [written] = await db.select().from(pageRevisions).where(eq(pageRevisions.jobId, job.id)).limit(1);
  if (!written)
    throw new AppError("NOT_FOUND", "This AI text was not written into the page, so there is nothing to undo.");
  const [previous] = await db
    .select()
    .from(pageRevisions)
    .where(and(eq(pageRevisions.pageId, written.pageId), eq(pageRevisions.version, written.version - 1)))
    .limit(1);
  if (!previous) throw new AppError("NOT_FOUND", "The text from before the AI wrote this page was not found.");
  return writePageContent(db, {
    pageId: written.pageId,
    content: previous.content,
    baseVersion: written.version,
    authorId: actor.id,
    source: "human",
  });
}
