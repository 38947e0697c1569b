import { getDb } from "@/db";
import { loadPageFor, loadStoryFor } from "../access";
import { requireActor, type Actor } from "../actor";
import { pageIdSchema, parseInput, storyIdSchema } from "../validation";
import { livePagesForSummaries, summariesOf, summaryOf } from "./state";
import { activeSummaryJobs, toPageSummaryView, type PageSummaryView } from "./view";
import { summaryWaitsOf } from "./waits";

/** A page's summary, whether it is stale, and its summary job if one is waiting or running. */
export async function getPageSummary(actorOrNull: Actor | null, input: unknown): Promise<PageSummaryView> {
  const actor = requireActor(actorOrNull);
  const { pageId } = parseInput(pageIdSchema, input);
  const db = await getDb();
  const { page } = await loadPageFor(db, actor, "read", pageId);
  const [jobs, waits] = await Promise.all([activeSummaryJobs(db, [page.id]), summaryWaitsOf(db, [page.id])]);
  return toPageSummaryView(page, await summaryOf(db, page.id), jobs.get(page.id), waits.get(page.id));
}

/** The summaries of every live page of a story, in reading order (one read for the story page). */
export async function listPageSummaries(actorOrNull: Actor | null, input: unknown): Promise<PageSummaryView[]> {
  const actor = requireActor(actorOrNull);
  const { storyId } = parseInput(storyIdSchema, input);
  const db = await getDb();
  await loadStoryFor(db, actor, "read", storyId);
  const ordered = await livePagesForSummaries(db, storyId);
  const ids = ordered.map((p) => p.id);
  const [summaries, jobs, waits] = await Promise.all([
    summariesOf(db, ids),
    activeSummaryJobs(db, ids),
    summaryWaitsOf(db, ids),
  ]);
  return ordered.map((page) => toPageSummaryView(page, summaries.get(page.id), jobs.get(page.id), waits.get(page.id)));
}
