import { announceSummariesChanged } from "../rollups/schedule";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db";
import { pageSummaries } from "@/db/memory-schema";
import { countTokens } from "@/lib/ai";
import { loadPageFor } from "../access";
import { requireActor, type Actor } from "../actor";
import { idField, pageIdSchema, parseInput } from "../validation";
import { summaryOf } from "./state";
import { summarizeAfterEdit } from "./schedule";
import { SUMMARY_MAX } from "./text";
import { activeSummaryJobs, toPageSummaryView, type PageSummaryView } from "./view";
import { summaryWaitsOf } from "./waits";

export const pinSummarySchema = z.object({
  pageId: idField,
  text: z
    .string()
    .trim()
    .min(1, "Write a summary, or clear the pin to let the AI write it.")
    .max(SUMMARY_MAX, `A summary can be at most ${SUMMARY_MAX.toLocaleString("en-US")} characters.`),
});

/**
 * The author's own summary of a page: stored pinned, so no AI summary replaces it — whatever the page becomes —
 * until they clear the pin.
 */
export async function pinPageSummary(actorOrNull: Actor | null, input: unknown): Promise<PageSummaryView> {
  const actor = requireActor(actorOrNull);
  const { pageId, text } = parseInput(pinSummarySchema, input);
  const db = await getDb();
  const { page } = await loadPageFor(db, actor, "edit", pageId);
  const values = {
    storyId: page.storyId,
    text,
    tokenCount: countTokens(text),
    pageVersion: page.version,
    source: "author" as const,
    pinned: true,
    jobId: null,
    authorId: actor.id,
    updatedAt: new Date(),
  };
  const [row] = await db
    .insert(pageSummaries)
    .values({ pageId: page.id, ...values })
    .onConflictDoUpdate({ target: pageSummaries.pageId, set: values })
    .returning();
  await announceSummariesChanged(page.storyId, actor.id);
  const jobs = await activeSummaryJobs(db, [page.id]);
  return toPageSummaryView(page, row, jobs.get(page.id));
}

/**
 * Clears the pin: the author's text stays until the AI's summary of the page as it is now replaces it, which is
 * asked for at once (paid by whoever cleared it; with their budget used up it waits like any automatic summary).
 */
export async function unpinPageSummary(actorOrNull: Actor | null, input: unknown): Promise<PageSummaryView> {
  const actor = requireActor(actorOrNull);
  const { pageId } = parseInput(pageIdSchema, input);
  const db = await getDb();
  const { page } = await loadPageFor(db, actor, "edit", pageId);
  const [row] = await db
    .update(pageSummaries)
    .set({ pinned: false, updatedAt: new Date() })
    .where(eq(pageSummaries.pageId, page.id))
    .returning();
  if (row) await summarizeAfterEdit(page.id, actor.id);
  const [jobs, waits] = await Promise.all([activeSummaryJobs(db, [page.id]), summaryWaitsOf(db, [page.id])]);
  return toPageSummaryView(page, row ?? (await summaryOf(db, page.id)), jobs.get(page.id), waits.get(page.id));
}
