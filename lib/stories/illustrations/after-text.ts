import { and, eq, or } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Db } from "@/db";
import { illustrationWaits } from "@/db/illustrations-schema";
import { pageRevisions, pages } from "@/db/schema";
import { pageSuggestions } from "@/db/suggestions-schema";
import { users } from "@/db/users-schema";
import { getJob } from "@/lib/ai";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { loadPageFor } from "../access";
import { requireActor, type Actor } from "../actor";
import { PAGE_TARGET } from "../job-kinds";
import { idField, parseInput } from "../validation";
import { submitIllustration } from "./request";
import { toIllustrationJobView, type IllustrationJobView } from "./view";

export interface IllustrateAfterTextOutcome {
  /** True while the text has not landed yet (the Illustrate job starts when it does). */
  waiting: boolean;
  /** The Illustrate job, when it started at once (the text was already on the page). */
  job: IllustrationJobView | null;
}

async function textIsOnPage(db: Db, jobId: string): Promise<boolean> {
  const [revision] = await db
    .select({ id: pageRevisions.id })
    .from(pageRevisions)
    .where(eq(pageRevisions.jobId, jobId))
    .limit(1);
  return revision !== undefined;
}

/** The job's text became a suggestion that was discarded (a suggestion recorded as "unchanged" is the page's own text). */
async function suggestionDiscarded(db: Db, jobId: string): Promise<boolean> {
  const [suggestion] = await db
    .select({ status: pageSuggestions.status, reason: pageSuggestions.reason })
    .from(pageSuggestions)
    .where(eq(pageSuggestions.jobId, jobId))
    .limit(1);
  return suggestion?.status === "discarded" && suggestion.reason !== "unchanged";
}

/**
 * "With Generate": illustrate the page once the text of the given Generate job is on it — at once if it already is,
 * otherwise when it lands (or, if it became a suggestion, when that suggestion is applied). Needs `generate`.
 */
export async function illustrateAfterText(
  actorOrNull: Actor | null,
  input: unknown,
): Promise<IllustrateAfterTextOutcome> {
  const actor = requireActor(actorOrNull);
  const { pageId, jobId } = parseInput(z.object({ pageId: idField, jobId: idField }), input);
  const db = await getDb();
  const { page, story } = await loadPageFor(db, actor, "generate", pageId);
  const job = await getJob(db, jobId);
  if (!job || job.targetType !== PAGE_TARGET || job.targetId !== page.id)
    throw new AppError("NOT_FOUND", "We couldn't find that job on this page.");
  // Text that will never reach the page (the job failed or was cancelled, its suggestion was discarded): a wait for it
  // would only hold the page's slot until the next Generate.
  if (job.status === "failed" || job.status === "cancelled" || (await suggestionDiscarded(db, job.id)))
    throw new AppError("CONFLICT", "That text will not reach the page, so there is nothing to illustrate after it.");
  if (await textIsOnPage(db, job.id)) {
    const { job: illustration } = await submitIllustration(db, actor, story.id, page.id, {});
    return { waiting: false, job: toIllustrationJobView(illustration) };
  }
  await db
    .insert(illustrationWaits)
    .values({ pageId: page.id, storyId: story.id, textJobId: job.id, requestedBy: actor.id })
    .onConflictDoUpdate({
      target: illustrationWaits.pageId,
      set: { textJobId: job.id, requestedBy: actor.id, createdAt: new Date() },
    });
  return { waiting: true, job: null };
}

/**
 * Called where a text job's text reaches its page (landed as a revision, or its suggestion applied): starts the
 * Illustrate that waited for it. Safe to call twice (the wait is taken once); a failure is logged, never thrown,
 * so the text's own landing is not undone by its illustration.
 */
export async function releaseIllustrationWait(db: Db, pageId: string, textJobId: string): Promise<void> {
  try {
    const [wait] = await db
      .delete(illustrationWaits)
      .where(and(eq(illustrationWaits.pageId, pageId), eq(illustrationWaits.textJobId, textJobId)))
      .returning();
    if (!wait) return;
    const [user] = await db
      .select({ id: users.id, role: users.role })
      .from(users)
      .where(eq(users.id, wait.requestedBy));
    const [page] = await db.select({ content: pages.content }).from(pages).where(eq(pages.id, pageId));
    if (!user || !page || page.content.trim() === "") return;
    await submitIllustration(db, { id: user.id, role: user.role }, wait.storyId, pageId, {});
  } catch (error) {
    log("warn", "illustration after text not started", { pageId, textJobId, error });
  }
}

/**
 * Where a suggestion is discarded (one, or all of a background revision's): the illustration that waited for its text
 * goes with it. The page keeps the text it had, which nobody asked to illustrate; left in place, the wait would start
 * an Illustrate on whatever text the page's next landing brings, or linger until the next Generate replaced it.
 */
export async function dropIllustrationWaits(
  db: Db,
  discarded: readonly { pageId: string; jobId: string | null }[],
): Promise<void> {
  const pairs = discarded.filter((d): d is { pageId: string; jobId: string } => d.jobId !== null);
  if (pairs.length === 0) return;
  await db
    .delete(illustrationWaits)
    .where(
      or(...pairs.map((d) => and(eq(illustrationWaits.pageId, d.pageId), eq(illustrationWaits.textJobId, d.jobId)))),
    );
}
