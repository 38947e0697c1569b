import { desc, eq, and } from "drizzle-orm";
import { getDb } from "@/db";
import { pageRevisions, users, type Page, type RevisionSource } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { loadPageFor } from "./access";
import { requireActor, type Actor } from "./actor";
import { writePageContent } from "./pages";
import { pageIdSchema, parseInput, revisionRestoreSchema } from "./validation";

export interface RevisionEntry {
  id: string;
  version: number;
  content: string;
  source: RevisionSource;
  jobId: string | null;
  authorName: string | null;
  createdAt: Date;
}

export async function listRevisions(actorOrNull: Actor | null, input: unknown): Promise<RevisionEntry[]> {
  const actor = requireActor(actorOrNull);
  const { pageId } = parseInput(pageIdSchema, input);
  const db = await getDb();
  await loadPageFor(db, actor, "read", pageId);
  return db
    .select({
      id: pageRevisions.id,
      version: pageRevisions.version,
      content: pageRevisions.content,
      source: pageRevisions.source,
      jobId: pageRevisions.jobId,
      authorName: users.name,
      createdAt: pageRevisions.createdAt,
    })
    .from(pageRevisions)
    .leftJoin(users, eq(users.id, pageRevisions.authorId))
    .where(eq(pageRevisions.pageId, pageId))
    .orderBy(desc(pageRevisions.version));
}

/** Restoring an old text is itself a new revision, so the history only ever grows. */
export async function restoreRevision(actorOrNull: Actor | null, input: unknown): Promise<Page> {
  const actor = requireActor(actorOrNull);
  const { pageId, revisionId, baseVersion } = parseInput(revisionRestoreSchema, input);
  const db = await getDb();
  await loadPageFor(db, actor, "edit", pageId);
  const [revision] = await db
    .select()
    .from(pageRevisions)
    .where(and(eq(pageRevisions.id, revisionId), eq(pageRevisions.pageId, pageId)))
    .limit(1);
  if (!revision) throw new AppError("NOT_FOUND", "We couldn't find that revision.");
  return writePageContent(db, {
    pageId,
    content: revision.content,
    baseVersion,
    authorId: actor.id,
    source: "human",
  });
}
