import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { pageSummaries } from "@/db/memory-schema";
import { pages, stories } from "@/db/schema";
import { resolveTemplate, resolveModel, submitJob } from "@/lib/ai";
import { inngest } from "@/lib/inngest/client";
import { processEngine } from "@/lib/inngest/embedded";
import { inngestMode } from "@/lib/inngest/mode";
import { pageTextChanged } from "@/lib/inngest/events/page-text-changed";
import { log } from "@/lib/log";
import { automaticJobsMayRun } from "../spending-policy";
import { summaryJobFor, SUMMARY_TEMPLATE_KEY } from "./job";
import { clearSummaryWait, recordSummaryWait } from "./waits";
import { livePagesForSummaries, summariesOf, summaryNeed, summaryOf, type SummaryNeed } from "./state";

/*
 * The summary after an edit: every accepted change of a page's text announces itself (story/page.text-changed, sent
 * after its transaction commits); lib/stories/functions/summarize-page-after-edit.ts debounces the announcements per
 * page and then calls summarizeAfterEdit, which submits one `page.summarize` job if the page still needs one.
 */

const DEFAULT_DEBOUNCE_SECONDS = 30;

/** SUMMARY_DEBOUNCE_SECONDS: how long after the last edit of a page its summary is written (default 30). */
export function summaryDebounceSeconds(env: Record<string, string | undefined> = process.env): number {
  const value = Number(env.SUMMARY_DEBOUNCE_SECONDS);
  return Number.isFinite(value) && value >= 1 ? Math.floor(value) : DEFAULT_DEBOUNCE_SECONDS;
}

/**
 * Announces a committed change of a page's text. Never fails the write that called it, and does not hold it up:
 * an announcement that cannot be sent is logged, and the page's summary stays stale (shown as such) until the next
 * edit or Summarize all.
 */
export function announcePageTextChanged(
  page: { id: string; storyId: string; version: number },
  requestedBy: string | null,
  options: { id?: string } = {},
): Promise<void> {
  // Embedded mode without the engine in this process (a script, a unit test): there is nothing to hear it.
  if (inngestMode() === "embedded" && !processEngine()) {
    log("debug", "page text change not announced: no engine in this process", { pageId: page.id });
    return Promise.resolve();
  }
  return inngest
    .send(
      pageTextChanged.create(
        { pageId: page.id, storyId: page.storyId, version: page.version, requestedBy },
        options.id ? { id: options.id } : undefined,
      ),
    )
    .then(
      () => undefined,
      (error) =>
        log("warn", "page text change not announced; its summary waits for the next edit", { pageId: page.id, error }),
    );
}

export type AfterEditOutcome =
  | { outcome: "submitted" | "joined"; jobId: string }
  | { outcome: Exclude<SummaryNeed, "missing" | "stale"> | "deleted" | "cleared" | "budget" };

/**
 * Submits the page's summary job if it still needs one (missing or stale, not pinned). A page emptied of its text
 * loses its AI summary instead. When the payer's spending budget is used up, nothing is submitted and nothing fails:
 * the summary stays stale, the page shows why (a summary wait), and it is written once the budget allows again (the
 * sweep in ./waits.ts), at a later edit, or by Summarize all.
 */
export async function summarizeAfterEdit(pageId: string, requestedBy: string | null): Promise<AfterEditOutcome> {
  const db = await getDb();
  const [row] = await db
    .select({ page: pages, story: stories })
    .from(pages)
    .innerJoin(stories, eq(stories.id, pages.storyId))
    .where(eq(pages.id, pageId))
    .limit(1);
  if (!row || row.page.deletedAt) {
    if (row) await clearSummaryWait(db, pageId);
    return { outcome: "deleted" };
  }
  const { page, story } = row;
  const need = summaryNeed(page, await summaryOf(db, page.id));
  if (need !== "missing" && need !== "stale") await clearSummaryWait(db, page.id);
  if (need === "blank") {
    // Nothing left to summarise: an AI summary of the old text would only mislead (a pinned one is the author's).
    await db.delete(pageSummaries).where(eq(pageSummaries.pageId, page.id));
    return { outcome: "cleared" };
  }
  if (need !== "missing" && need !== "stale") return { outcome: need };
  // Whoever changed the page pays; a change nobody is known for (a job whose requester was deleted) is the owner's.
  const payer = requestedBy ?? story.ownerId;
  if (!(await automaticJobsMayRun(db, payer))) {
    // The page says why its summary is stale, and the sweep writes it once the budget allows (./waits.ts).
    await recordSummaryWait(db, { pageId: page.id, storyId: story.id, pageVersion: page.version, payerId: payer });
    log("info", "page summary waits: spending budget used", { pageId: page.id });
    return { outcome: "budget" };
  }
  const ordered = await livePagesForSummaries(db, story.id);
  const index = ordered.findIndex((p) => p.id === page.id);
  const neighbours = [ordered[index - 1]?.id, ordered[index + 1]?.id].filter((id): id is string => !!id);
  const model = resolveModel(process.env, { task: "summary" });
  const job = summaryJobFor({
    story,
    ordered,
    summaries: await summariesOf(db, neighbours),
    page,
    requestedBy: payer,
    template: await resolveTemplate(SUMMARY_TEMPLATE_KEY),
    model,
  });
  const { job: submitted, created } = await submitJob(db, { ...job, parentJobId: null });
  await clearSummaryWait(db, page.id);
  return { outcome: created ? "submitted" : "joined", jobId: submitted.id };
}
