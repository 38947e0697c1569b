import { and, asc, eq, gt, isNull, sql } from "drizzle-orm";
import { generateKeyBetween } from "fractional-indexing";
import { getDb, type Db } from "@/db";
import { isUniqueViolation } from "@/db/errors";
import { pageRevisions, pages, stories, type Page } from "@/db/schema";
import { countTokens, findActiveJob } from "@/lib/ai";
import { AppError } from "@/lib/errors";
import { loadPageFor, loadStoryFor } from "./access";
import { requireActor, type Actor } from "./actor";
import { isPageTextJob, PAGE_TARGET } from "./job-kinds";
import {
  assertPageLength,
  pageAddSchema,
  pageIdSchema,
  pageMoveSchema,
  pageMoveToSchema,
  pageSaveSchema,
  parseInput,
  storyIdSchema,
} from "./validation";
import { announcePageTextChanged } from "./summaries/schedule";

export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

async function livePages(db: Db | Tx, storyId: string): Promise<Page[]> {
  return db
    .select()
    .from(pages)
    .where(and(eq(pages.storyId, storyId), isNull(pages.deletedAt)))
    .orderBy(asc(pages.position));
}

async function touchStory(db: Db | Tx, storyId: string): Promise<void> {
  await db.update(stories).set({ updatedAt: new Date() }).where(eq(stories.id, storyId));
}

export async function listPages(actorOrNull: Actor | null, input: unknown): Promise<Page[]> {
  const actor = requireActor(actorOrNull);
  const { storyId } = parseInput(storyIdSchema, input);
  const db = await getDb();
  await loadStoryFor(db, actor, "read", storyId);
  return livePages(db, storyId);
}

export async function getPage(actorOrNull: Actor | null, input: unknown): Promise<Page> {
  const actor = requireActor(actorOrNull);
  const { pageId } = parseInput(pageIdSchema, input);
  return (await loadPageFor(await getDb(), actor, "read", pageId)).page;
}

/** Adds a page at the end, right after `afterPageId` or right before `beforePageId`. Only the new row is written. */
export async function addPage(actorOrNull: Actor | null, input: unknown): Promise<Page> {
  const actor = requireActor(actorOrNull);
  const { storyId, afterPageId, beforePageId, content } = parseInput(pageAddSchema, input);
  if (afterPageId && beforePageId) {
    const message = "Give afterPageId or beforePageId, not both.";
    throw new AppError("VALIDATION", message, { fields: { beforePageId: message } });
  }
  assertPageLength(content);
  const db = await getDb();
  await loadStoryFor(db, actor, "edit", storyId);
  // Two concurrent "add at end" compute the same key; the loser tries again against the new order.
  for (let attempt = 0; ; attempt++) {
    try {
      return await insertPage(db, actor, storyId, { afterPageId, beforePageId }, content);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      if (attempt >= 2) throw new AppError("ORDER_CONFLICT", undefined, undefined, { cause: error });
    }
  }
}

async function insertPage(
  db: Db,
  actor: Actor,
  storyId: string,
  place: { afterPageId?: string | null; beforePageId?: string | null },
  content: string,
): Promise<Page> {
  const inserted = await db.transaction(async (tx) => {
    const ordered = await livePages(tx, storyId);
    let before: string | null = ordered.at(-1)?.position ?? null;
    let after: string | null = null;
    if (place.afterPageId) {
      const index = ordered.findIndex((p) => p.id === place.afterPageId);
      if (index < 0) throw new AppError("NOT_FOUND", "The page to insert after no longer exists.");
      before = ordered[index]!.position;
      after = ordered[index + 1]?.position ?? null;
    } else if (place.beforePageId) {
      const index = ordered.findIndex((p) => p.id === place.beforePageId);
      if (index < 0) throw new AppError("NOT_FOUND", "The page to insert before no longer exists.");
      before = ordered[index - 1]?.position ?? null;
      after = ordered[index]!.position;
    }
    const [page] = await tx
      .insert(pages)
      .values({
        storyId,
        position: generateKeyBetween(before, after),
        content,
        version: 1,
        // Stored so that prompt assembly adds numbers instead of tokenizing every page of the story.
        tokenCount: countTokens(content),
      })
      .returning();
    await tx
      .insert(pageRevisions)
      .values({ pageId: page!.id, version: 1, content, source: "human", authorId: actor.id });
    await touchStory(tx, storyId);
    return page!;
  });
  // Not awaited: the summary is a follow-up the save does not wait for (announcing never fails it).
  if (content.trim() !== "") void announcePageTextChanged(inserted, actor.id);
  return inserted;
}

/**
 * Writes a page's text if nobody else wrote it since `baseVersion`; otherwise refuses with CONFLICT and hands back
 * the newer text so that the author can compare and decide. Every accepted write adds one revision.
 */
export async function savePage(actorOrNull: Actor | null, input: unknown): Promise<Page> {
  const actor = requireActor(actorOrNull);
  const { pageId, content, baseVersion, saveWhileAiWrites } = parseInput(pageSaveSchema, input);
  assertPageLength(content);
  const db = await getDb();
  const { page: current } = await loadPageFor(db, actor, "edit", pageId);
  if (current.version === baseVersion && current.content === content) return current;
  if (!saveWhileAiWrites) await refuseWhileAiWrites(db, pageId);
  return writePageContent(db, { pageId, content, baseVersion, authorId: actor.id, source: "human" });
}

/**
 * A page whose own Generate (write or revise) is running is the AI's until the job ends: a save from a tab that does
 * not see the job is refused in words, as the tab that sees it refuses it, instead of quietly turning the AI's text
 * into a suggestion. A background revision's pages and a take set are not written by their jobs (their results wait
 * as suggestions or takes), so they do not block. Checked before the write, not inside it: a job that starts a moment
 * later lands as a suggestion, as it always did.
 */
async function refuseWhileAiWrites(db: Db, pageId: string): Promise<void> {
  const active = await findActiveJob(db, PAGE_TARGET, pageId);
  if (active && isPageTextJob(active) && !active.parentJobId) {
    throw new AppError("PAGE_AI_WRITING", undefined, { activeJobId: active.id });
  }
}

export async function writePageContent(
  db: Db,
  args: {
    pageId: string;
    content: string;
    baseVersion: number;
    authorId: string | null;
    source: "human" | "ai";
    jobId?: string;
  },
  /** More writes that must commit or roll back with this one (e.g. marking the suggestion it came from applied). */
  alongside?: (tx: Tx) => Promise<void>,
): Promise<Page> {
  const written = await db.transaction(async (tx) => {
    const [updated] = await tx
      .update(pages)
      .set({
        content: args.content,
        tokenCount: countTokens(args.content),
        version: sql`${pages.version} + 1`,
        updatedAt: new Date(),
      })
      .where(and(eq(pages.id, args.pageId), eq(pages.version, args.baseVersion), isNull(pages.deletedAt)))
      .returning();
    if (!updated) {
      const [latest] = await tx.select().from(pages).where(eq(pages.id, args.pageId)).limit(1);
      if (!latest || latest.deletedAt) throw new AppError("NOT_FOUND", "This page was deleted meanwhile.");
      throw new AppError("CONFLICT", undefined, {
        current: { content: latest.content, version: latest.version, updatedAt: latest.updatedAt.toISOString() },
      });
    }
    await tx.insert(pageRevisions).values({
      pageId: updated.id,
      version: updated.version,
      content: args.content,
      source: args.source,
      jobId: args.jobId ?? null,
      authorId: args.authorId,
    });
    await touchStory(tx, updated.storyId);
    if (alongside) await alongside(tx);
    return updated;
  });
  // After the commit, never inside it: the summary job must see the text it is asked to summarise. Not awaited, as
  // the write does not wait for its follow-up; whoever wrote pays for it.
  void announcePageTextChanged(written, args.authorId);
  return written;
}

/** Moves a page one step up or down by giving it a key between its new neighbours: one row changes. */
export async function movePage(actorOrNull: Actor | null, input: unknown): Promise<Page> {
  const actor = requireActor(actorOrNull);
  const { pageId, direction } = parseInput(pageMoveSchema, input);
  const db = await getDb();
  const { page } = await loadPageFor(db, actor, "edit", pageId);
  try {
    return await db.transaction(async (tx) => {
      const ordered = await livePages(tx, page.storyId);
      const index = ordered.findIndex((p) => p.id === pageId);
      const target = direction === "up" ? index - 1 : index + 1;
      if (index < 0 || target < 0 || target >= ordered.length) return ordered[index] ?? page;
      const [low, high] =
        direction === "up"
          ? [ordered[target - 1]?.position ?? null, ordered[target]!.position]
          : [ordered[target]!.position, ordered[target + 1]?.position ?? null];
      const [moved] = await tx
        .update(pages)
        .set({ position: generateKeyBetween(low, high) })
        .where(and(eq(pages.id, pageId), eq(pages.position, ordered[index]!.position)))
        .returning();
      if (!moved) throw new AppError("ORDER_CONFLICT");
      await touchStory(tx, page.storyId);
      return moved;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("ORDER_CONFLICT", undefined, undefined, { cause: error });
    throw error;
  }
}

/**
 * Moves a page anywhere in one step (the REST API's move): right after `afterPageId`, or to the front when it is
 * null. Like movePage, only the moved row changes (a key between its new neighbours).
 */
export async function movePageTo(actorOrNull: Actor | null, input: unknown): Promise<Page> {
  const actor = requireActor(actorOrNull);
  const { pageId, afterPageId } = parseInput(pageMoveToSchema, input);
  if (afterPageId === pageId) {
    const message = "A page cannot be moved after itself.";
    throw new AppError("VALIDATION", message, { fields: { afterPageId: message } });
  }
  const db = await getDb();
  const { page } = await loadPageFor(db, actor, "edit", pageId);
  try {
    return await db.transaction(async (tx) => {
      const ordered = await livePages(tx, page.storyId);
      const index = ordered.findIndex((p) => p.id === pageId);
      if (index < 0) throw new AppError("NOT_FOUND", "This page was deleted meanwhile.");
      // Already in place: nothing to write.
      if ((ordered[index - 1]?.id ?? null) === afterPageId) return ordered[index]!;
      const others = ordered.filter((p) => p.id !== pageId);
      let low: string | null = null;
      let high: string | null = others[0]?.position ?? null;
      if (afterPageId) {
        const at = others.findIndex((p) => p.id === afterPageId);
        if (at < 0) throw new AppError("NOT_FOUND", "The page to move after is not a page of this story.");
        low = others[at]!.position;
        high = others[at + 1]?.position ?? null;
      }
      const [moved] = await tx
        .update(pages)
        .set({ position: generateKeyBetween(low, high) })
        .where(and(eq(pages.id, pageId), eq(pages.position, ordered[index]!.position)))
        .returning();
      if (!moved) throw new AppError("ORDER_CONFLICT");
      await touchStory(tx, page.storyId);
      return moved;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("ORDER_CONFLICT", undefined, undefined, { cause: error });
    throw error;
  }
}

/** Soft delete: the page and its history stay until the story is deleted, so "Undo" can bring it back. */
export async function deletePage(actorOrNull: Actor | null, input: unknown): Promise<void> {
  const actor = requireActor(actorOrNull);
  const { pageId } = parseInput(pageIdSchema, input);
  const db = await getDb();
  const { page } = await loadPageFor(db, actor, "edit", pageId);
  await db.transaction(async (tx) => {
    await tx.update(pages).set({ deletedAt: new Date() }).where(eq(pages.id, page.id));
    await touchStory(tx, page.storyId);
  });
}

export async function undeletePage(actorOrNull: Actor | null, input: unknown): Promise<Page> {
  const actor = requireActor(actorOrNull);
  const { pageId } = parseInput(pageIdSchema, input);
  const db = await getDb();
  const { page } = await loadPageFor(db, actor, "edit", pageId, { includeDeleted: true });
  if (!page.deletedAt) return page;
  try {
    return await restoreDeletedPage(db, page);
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("ORDER_CONFLICT", undefined, undefined, { cause: error });
    throw error;
  }
}

async function restoreDeletedPage(db: Db, page: Page): Promise<Page> {
  return db.transaction(async (tx) => {
    // A page added meanwhile may have taken the old slot: then slip in right after it.
    let position = page.position;
    const [taken] = await tx
      .select({ position: pages.position })
      .from(pages)
      .where(and(eq(pages.storyId, page.storyId), eq(pages.position, position), isNull(pages.deletedAt)))
      .limit(1);
    if (taken) {
      const [next] = await tx
        .select({ position: pages.position })
        .from(pages)
        .where(and(eq(pages.storyId, page.storyId), gt(pages.position, position), isNull(pages.deletedAt)))
        .orderBy(asc(pages.position))
        .limit(1);
      position = generateKeyBetween(position, next?.position ?? null);
    }
    const [restored] = await tx
      .update(pages)
      .set({ deletedAt: null, position })
      .where(eq(pages.id, page.id))
      .returning();
    await touchStory(tx, page.storyId);
    return restored!;
  });
}
