import { and, asc, eq, inArray } from "drizzle-orm";
import { getDb, type Db } from "@/db";
import { aiJobs } from "@/db/ai-schema";
import { pageSuggestions } from "@/db/suggestions-schema";
import { getJob } from "@/lib/ai";
import { isAppError } from "@/lib/errors";
import { dropIllustrationWaits } from "../illustrations/after-text";
import { requireActor, type Actor } from "../actor";
import { loadRevisionFor, toBackgroundRevisionView, type BackgroundRevisionView } from "../background/view";
import { storyPageNumbers } from "../page-numbers";
import { jobIdSchema, parseInput } from "../validation";
import { writeSuggestion } from "./write";

async function openSuggestionsOf(db: Db, parentJobId: string) {
  return db
    .select({ suggestion: pageSuggestions })
    .from(pageSuggestions)
    .innerJoin(aiJobs, eq(aiJobs.id, pageSuggestions.jobId))
    .where(and(eq(aiJobs.parentJobId, parentJobId), eq(pageSuggestions.status, "open")))
    .orderBy(asc(pageSuggestions.createdAt));
}

export interface ApplyAllOutcome {
  applied: { pageId: string; pageNumber: number | null }[];
  /** Pages edited since the revision read them: their suggestions stay open for the author to compare. */
  stale: { pageId: string; pageNumber: number | null }[];
  /** Suggestions applied or discarded elsewhere meanwhile (another tab), or whose page was deleted: skipped. */
  alreadyResolved: { pageId: string; pageNumber: number | null }[];
  revision: BackgroundRevisionView;
}

/**
 * Applies every open suggestion of the revision whose page is still at the version the suggestion was made from
 * (one new `ai` revision each). A page edited meanwhile keeps the author's text; its suggestion stays open.
 */
export async function applyAllSuggestions(actorOrNull: Actor | null, input: unknown): Promise<ApplyAllOutcome> {
  const actor = requireActor(actorOrNull);
  const { jobId } = parseInput(jobIdSchema, input);
  const db = await getDb();
  const { parent } = await loadRevisionFor(db, actor, "review", jobId);
  const numbers = await storyPageNumbers(db, parent.targetId);
  const applied: ApplyAllOutcome["applied"] = [];
  const stale: ApplyAllOutcome["stale"] = [];
  const alreadyResolved: ApplyAllOutcome["alreadyResolved"] = [];
  for (const { suggestion } of await openSuggestionsOf(db, parent.id)) {
    const where = { pageId: suggestion.pageId, pageNumber: numbers.get(suggestion.pageId) ?? null };
    try {
      // The version check is the write's own: it succeeds only if nobody changed the page since the suggestion.
      await writeSuggestion(db, suggestion, { baseVersion: suggestion.baseVersion, actorId: actor.id });
    } catch (error) {
      if (isAppError(error) && (error.code === "CONFLICT" || error.code === "NOT_FOUND")) {
        // Stale (the page changed), or resolved meanwhile (applied or discarded from another tab, page deleted).
        if (error.code === "CONFLICT" && !error.details?.resolved) stale.push(where);
        else alreadyResolved.push(where);
        continue;
      }
      throw error;
    }
    applied.push(where);
  }
  const byNumber = (a: { pageNumber: number | null }, b: { pageNumber: number | null }) =>
    (a.pageNumber ?? Infinity) - (b.pageNumber ?? Infinity);
  return {
    applied: applied.sort(byNumber),
    stale: stale.sort(byNumber),
    alreadyResolved: alreadyResolved.sort(byNumber),
    revision: await toBackgroundRevisionView(db, (await getJob(db, parent.id))!),
  };
}

export interface DiscardAllOutcome {
  discarded: number;
  /** The pages whose suggestion was discarded, in story order. */
  pages: { pageId: string; pageNumber: number | null }[];
  revision: BackgroundRevisionView;
}

/** Discards every open suggestion of the revision; pages keep their text. */
export async function discardAllSuggestions(actorOrNull: Actor | null, input: unknown): Promise<DiscardAllOutcome> {
  const actor = requireActor(actorOrNull);
  const { jobId } = parseInput(jobIdSchema, input);
  const db = await getDb();
  const { parent } = await loadRevisionFor(db, actor, "review", jobId);
  const open = await openSuggestionsOf(db, parent.id);
  const discarded = open.length
    ? await db
        .update(pageSuggestions)
        .set({ status: "discarded", resolvedAt: new Date(), resolvedBy: actor.id })
        .where(
          and(
            inArray(
              pageSuggestions.id,
              open.map((o) => o.suggestion.id),
            ),
            eq(pageSuggestions.status, "open"),
          ),
        )
        .returning({ id: pageSuggestions.id, pageId: pageSuggestions.pageId, jobId: pageSuggestions.jobId })
    : [];
  await dropIllustrationWaits(db, discarded);
  const numbers = discarded.length ? await storyPageNumbers(db, parent.targetId) : new Map<string, number>();
  const pages = discarded
    .map((d) => ({ pageId: d.pageId, pageNumber: numbers.get(d.pageId) ?? null }))
    .sort((a, b) => (a.pageNumber ?? Infinity) - (b.pageNumber ?? Infinity));
  return {
    discarded: discarded.length,
    pages,
    revision: await toBackgroundRevisionView(db, (await getJob(db, parent.id))!),
  };
}
