import type { LanguageModelV4 } from "@ai-sdk/provider";
import { and, eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { aiJobs, type AiJob } from "@/db/ai-schema";
import { pageSummaries } from "@/db/memory-schema";
import { pages, stories, users } from "@/db/schema";
import { createRunAiChildJob } from "@/lib/ai/functions/run-ai-child-job";
import { createRunAiJob } from "@/lib/ai/functions/run-ai-job";
import { settleFanOutParentOnFailure } from "@/lib/ai/functions/settle-fan-out-parent";
import { createJobTypeRegistry } from "@/lib/ai/job-types";
import { createOfflineModel } from "@/lib/ai/offline-model";
import {
  getPageSummary,
  getSummarizeAll,
  pinPageSummary,
  requestSummarizeAll,
  savePage,
  unpinPageSummary,
  type Actor,
  type SummarizeAllView,
} from "@/lib/stories";
import { applyPageJobResultFunction } from "@/lib/stories/functions/apply-page-job-result";
import { createSummarizePageAfterEdit } from "@/lib/stories/functions/summarize-page-after-edit";
import { summarizeStoryPagesFunction } from "@/lib/stories/functions/summarize-story-pages";
import { storyJobTypes } from "@/lib/stories/job-types";
import { budgetRefusalForChild } from "@/lib/stories/spending-policy";
import { summarizeAfterEdit } from "@/lib/stories/summaries/schedule";
import { resumeWaitingSummaries } from "@/lib/stories/summaries/waits";
import { offlineChoice } from "../helpers/offline-choice";
import { useEngine, waitFor } from "../engine/harness";
import { expectAppError, makeActor, makeStory } from "../helpers/fixtures";

/*
 * Page summaries end to end in the embedded engine with the app's functions: the debounced summary after an edit, its
 * landing (stored, or discarded when the page changed or the author pinned theirs), Summarize all, budgets. The
 * model is the offline one (extractive summaries), behind a gate the tests close to hold a summary job mid-run.
 */

const offline = createOfflineModel({ msPerWord: 0 });
let gate: { promise: Promise<void>; open: () => void } | null = null;
function closeGate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  gate = { promise, open };
  return gate;
}
const gated: LanguageModelV4 = {
  ...offline,
  doStream: async (options) => {
    if (gate) await gate.promise;
    return offline.doStream(options);
  },
};
const model = offlineChoice(gated);
const jobTypes = createJobTypeRegistry(storyJobTypes);
const timing = { stallTimeoutMs: 20_000, totalTimeoutMs: 30_000, flushIntervalMs: 0 };
// Long enough that a few saves in a row fall into one period on a busy machine (the period restarts at each save).
const DEBOUNCE_SECONDS = 3;

// Each test waits for background jobs through the engine: generous on a loaded machine (no timing is asserted).
vi.setConfig({ testTimeout: 120_000 });

const t = useEngine(() => [
  createRunAiJob({ model, jobTypes, ...timing }),
  createRunAiChildJob({ model, jobTypes, ...timing, admit: budgetRefusalForChild }),
  applyPageJobResultFunction,
  createSummarizePageAfterEdit({ debounceSeconds: DEBOUNCE_SECONDS }),
  summarizeStoryPagesFunction,
  settleFanOutParentOnFailure,
]);

async function summaryJobsOf(pageId: string): Promise<AiJob[]> {
  return t
    .db()
    .select()
    .from(aiJobs)
    .where(and(eq(aiJobs.targetType, "page_summary"), eq(aiJobs.targetId, pageId)))
    .orderBy(aiJobs.createdAt);
}

async function summaryRow(pageId: string) {
  const [row] = await t.db().select().from(pageSummaries).where(eq(pageSummaries.pageId, pageId));
  return row;
}

/** Waits until the page's stored summary is an AI summary of `version`. */
async function summarisedAt(pageId: string, version: number) {
  return waitFor(
    async () => {
      const row = await summaryRow(pageId);
      return row && row.pageVersion === version && row.source === "ai" ? row : null;
    },
    { timeoutMs: 30_000, what: `the summary of page version ${version}` },
  );
}

async function runningSummaryJob(pageId: string): Promise<AiJob> {
  return waitFor(async () => (await summaryJobsOf(pageId)).find((j) => j.status === "running"), {
    timeoutMs: 30_000,
    what: "a running summary job",
  });
}

async function landed(jobId: string): Promise<AiJob> {
  return waitFor(
    async () => {
      const [job] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, jobId));
      return job?.landedAt ? job : null;
    },
    { timeoutMs: 30_000, what: `job ${jobId} to land` },
  );
}

describe("the summary after an edit", () => {
  it("is written once after a burst of edits, from the last text, and shows as stale while the next is due", async () => {
    const author = await makeActor();
    const { pages: added } = await makeStory(author, ["Mara climbed the stairs."]);
    const page = added[0]!;
    let version = page.version;
    for (const text of ["Mara climbed the tower.", "Mara climbed the tower at dusk.", "Tobias lit the lamp."]) {
      version = (await savePage(author, { pageId: page.id, content: text, baseVersion: version })).version;
    }
    const row = await summarisedAt(page.id, version);
    expect(row.text).toBe("Tobias lit the lamp.");
    expect(row).toMatchObject({ source: "ai", pinned: false, authorId: null });
    expect(row.tokenCount).toBeGreaterThan(0);
    // Four changes (the new page and three saves) within one debounce period: one job.
    const jobs = await summaryJobsOf(page.id);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({
      jobType: "page.summarize",
      parentJobId: null,
      requestedBy: author.id,
      scopeType: "story",
      scopeId: page.storyId,
      baseVersion: version,
      templateKey: "page_summary",
      status: "succeeded",
    });
    expect(row.jobId).toBe(jobs[0]!.id);
    expect(await getPageSummary(author, { pageId: page.id })).toMatchObject({
      text: "Tobias lit the lamp.",
      source: "ai",
      stale: false,
      pinned: false,
      job: null,
      pageVersion: version,
      currentPageVersion: version,
    });

    // The next edit outdates it at once; the summary after it follows.
    const edited = await savePage(author, {
      pageId: page.id,
      content: "Tobias put out the lamp.",
      baseVersion: version,
    });
    expect(await getPageSummary(author, { pageId: page.id })).toMatchObject({
      text: "Tobias lit the lamp.",
      stale: true,
      currentPageVersion: edited.version,
    });
    expect((await summarisedAt(page.id, edited.version)).text).toBe("Tobias put out the lamp.");
  });

  it("discards a summary that finishes after its page changed again, and writes a new one", async () => {
    const author = await makeActor();
    const { pages: added } = await makeStory(author, [""]);
    const page = added[0]!;
    const held = closeGate();
    const first = await savePage(author, { pageId: page.id, content: "Mara climbed the stairs.", baseVersion: 1 });
    const job = await runningSummaryJob(page.id);
    expect(job.baseVersion).toBe(first.version);
    expect((await getPageSummary(author, { pageId: page.id })).job).toMatchObject({ id: job.id, status: "running" });

    const second = await savePage(author, {
      pageId: page.id,
      content: "Tobias lit the lamp.",
      baseVersion: first.version,
    });
    gate = null;
    held.open();

    const late = await landed(job.id);
    expect(late.outputText).toBe("Mara climbed the stairs.");
    // Recorded in the ledger, never stored as the page's summary.
    expect((await summaryRow(page.id))?.jobId ?? null).not.toBe(job.id);
    const fresh = await summarisedAt(page.id, second.version);
    expect(fresh.text).toBe("Tobias lit the lamp.");
    expect(fresh.jobId).not.toBe(job.id);
  });

  it("never overwrites a pinned summary; clearing the pin brings the AI's back", async () => {
    const author = await makeActor();
    const { pages: added } = await makeStory(author, [""]);
    const page = added[0]!;
    const held = closeGate();
    const saved = await savePage(author, { pageId: page.id, content: "Mara found the logbook.", baseVersion: 1 });
    const job = await runningSummaryJob(page.id);

    const pinned = await pinPageSummary(author, { pageId: page.id, text: "  My own words about the logbook.  " });
    expect(pinned).toMatchObject({ text: "My own words about the logbook.", source: "author", pinned: true });
    gate = null;
    held.open();
    await landed(job.id);
    expect(await summaryRow(page.id)).toMatchObject({
      text: "My own words about the logbook.",
      pinned: true,
      source: "author",
      authorId: author.id,
    });

    // Later edits keep it too: nothing is scheduled for a pinned summary.
    const edited = await savePage(author, {
      pageId: page.id,
      content: "Mara read the logbook aloud.",
      baseVersion: saved.version,
    });
    expect(await summarizeAfterEdit(page.id, author.id)).toEqual({ outcome: "pinned" });
    expect(await getPageSummary(author, { pageId: page.id })).toMatchObject({ pinned: true, stale: false });

    const cleared = await unpinPageSummary(author, { pageId: page.id });
    expect(cleared).toMatchObject({ text: "My own words about the logbook.", pinned: false, stale: true });
    expect(cleared.job).not.toBeNull();
    expect((await summarisedAt(page.id, edited.version)).text).toBe("Mara read the logbook aloud.");
  });

  it("waits without failing when the payer's budget is used up; Summarize all is refused then", async () => {
    const author = await makeActor();
    const { story, pages: added } = await makeStory(author, [""]);
    await t.db().update(users).set({ dailyTokenBudget: 0 }).where(eq(users.id, author.id));
    await t.db().update(pages).set({ content: "Mara slept.", version: 2 }).where(eq(pages.id, added[0]!.id));
    expect(await summarizeAfterEdit(added[0]!.id, author.id)).toEqual({ outcome: "budget" });
    expect(await summaryJobsOf(added[0]!.id)).toHaveLength(0);
    await expectAppError(requestSummarizeAll(author, { storyId: story.id }), "GEN_BUDGET_EXCEEDED");
  });

  it("a summary skipped for budget says why on the page, and is written once the payer's budget allows again", async () => {
    const author = await makeActor();
    const broke = await makeActor();
    const { pages: added } = await makeStory(author, ["", ""]);
    const [page, other] = [added[0]!, added[1]!];
    for (const who of [author, broke])
      await t.db().update(users).set({ dailyTokenBudget: 0 }).where(eq(users.id, who.id));
    await t.db().update(pages).set({ content: "Mara slept.", version: 2 }).where(eq(pages.id, page.id));
    await t.db().update(pages).set({ content: "Tobin woke.", version: 2 }).where(eq(pages.id, other.id));
    expect(await summarizeAfterEdit(page.id, author.id)).toEqual({ outcome: "budget" });
    expect(await summarizeAfterEdit(other.id, broke.id)).toEqual({ outcome: "budget" });
    expect(await getPageSummary(author, { pageId: page.id })).toMatchObject({
      text: null,
      job: null,
      notRefreshedReason: "budget",
    });

    // Still no budget: the sweep leaves both waiting, and submits nothing.
    expect(await resumeWaitingSummaries(summarizeAfterEdit)).toMatchObject({ resumed: 0 });
    expect(await summaryJobsOf(page.id)).toHaveLength(0);

    // The author's budget is back (the other payer's is not): the author's page gets its summary, the other waits.
    await t.db().update(users).set({ dailyTokenBudget: null }).where(eq(users.id, author.id));
    expect(await resumeWaitingSummaries(summarizeAfterEdit)).toMatchObject({ resumed: 1 });
    const jobs = await summaryJobsOf(page.id);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.requestedBy).toBe(author.id);
    expect((await getPageSummary(author, { pageId: page.id })).notRefreshedReason).toBeNull();
    expect(await summaryJobsOf(other.id)).toHaveLength(0);
    expect((await getPageSummary(author, { pageId: other.id })).notRefreshedReason).toBe("budget");
    await waitFor(
      async () => {
        const view = await getPageSummary(author, { pageId: page.id });
        return view.text !== null && !view.stale ? view : null;
      },
      { timeoutMs: 30_000, what: "the waiting summary to be written" },
    );
    expect(await getPageSummary(author, { pageId: page.id })).toMatchObject({ notRefreshedReason: null, stale: false });
  });
});

describe("Summarize all", () => {
  /** Pages written straight into the database, so that no edit schedules summaries of its own. */
  async function storyInStates(owner: Actor) {
    const db = t.db();
    const [story] = await db.insert(stories).values({ ownerId: owner.id, title: "States" }).returning();
    const texts = ["Fresh page.", "Pinned page.", "Stale page, edited since.", "", "Missing summary page."];
    const rows = await db
      .insert(pages)
      .values(texts.map((content, i) => ({ storyId: story!.id, position: `a${i}`, content, version: i === 2 ? 2 : 1 })))
      .returning();
    const [fresh, pinned, stale] = rows;
    const base = { storyId: story!.id, tokenCount: 3, source: "ai" as const };
    await db.insert(pageSummaries).values([
      { ...base, pageId: fresh!.id, text: "Old but current.", pageVersion: 1 },
      { ...base, pageId: pinned!.id, text: "The author's.", pageVersion: 1, source: "author", pinned: true },
      { ...base, pageId: stale!.id, text: "Of version one.", pageVersion: 1 },
    ]);
    return { story: story!, rows };
  }

  async function finished(actor: Actor, storyId: string, jobId: string): Promise<SummarizeAllView> {
    return waitFor(
      async () => {
        const view = (await getSummarizeAll(actor, { storyId, jobId }))!;
        if (view.status !== "pending") expect(view.done + view.active).toBe(view.total);
        return ["succeeded", "failed", "cancelled"].includes(view.status) ? view : null;
      },
      { timeoutMs: 30_000, what: "Summarize all to end" },
    );
  }

  it("summarises only missing and stale pages, leaves pinned and fresh ones, and reports progress", async () => {
    const author = await makeActor();
    const { story, rows } = await storyInStates(author);
    const held = closeGate();
    const { job, created } = await requestSummarizeAll(author, { storyId: story.id });
    expect(created).toBe(true);
    expect(job).toMatchObject({ jobType: "story.summarize_pages", storyId: story.id, total: 2, done: 0 });
    // A second request while it runs joins it.
    const again = await requestSummarizeAll(author, { storyId: story.id });
    expect(again).toMatchObject({ created: false, job: { id: job.id } });
    gate = null;
    held.open();

    const done = await finished(author, story.id, job.id);
    expect(done).toMatchObject({ status: "succeeded", total: 2, done: 2, succeeded: 2, failed: 0, active: 0 });
    const children = await t.db().select().from(aiJobs).where(eq(aiJobs.parentJobId, job.id));
    expect(new Set(children.map((c) => c.targetId))).toEqual(new Set([rows[2]!.id, rows[4]!.id]));
    expect(children.every((c) => c.jobType === "page.summarize" && c.requestedBy === author.id)).toBe(true);

    expect(await summaryRow(rows[0]!.id)).toMatchObject({ text: "Old but current.", pageVersion: 1 });
    expect(await summaryRow(rows[1]!.id)).toMatchObject({ text: "The author's.", pinned: true });
    expect(await summaryRow(rows[2]!.id)).toMatchObject({ text: "Stale page, edited since.", pageVersion: 2 });
    expect(await summaryRow(rows[3]!.id)).toBeUndefined();
    expect(await summaryRow(rows[4]!.id)).toMatchObject({ text: "Missing summary page.", source: "ai" });
    expect(await getSummarizeAll(author, { storyId: story.id })).toMatchObject({ id: job.id, status: "succeeded" });

    // Everything is up to date now: a new request has nothing to do and ends at once.
    const next = await requestSummarizeAll(author, { storyId: story.id });
    expect(next.job.total).toBe(0);
    expect(await finished(author, story.id, next.job.id)).toMatchObject({ status: "succeeded", total: 0 });
  });
});
