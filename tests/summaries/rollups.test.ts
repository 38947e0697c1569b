import type { LanguageModelV4 } from "@ai-sdk/provider";
import { and, asc, eq, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { aiJobs, type AiJob } from "@/db/ai-schema";
import { pageSummaries, storyRollups, type StoryRollup } from "@/db/memory-schema";
import { pages, stories } from "@/db/schema";
import { rollupFingerprints, rollupKey, rollupTargetId } from "@/lib/ai/context";
import { createRunAiChildJob } from "@/lib/ai/functions/run-ai-child-job";
import { createRunAiJob } from "@/lib/ai/functions/run-ai-job";
import { settleFanOutParentOnFailure } from "@/lib/ai/functions/settle-fan-out-parent";
import { createJobTypeRegistry } from "@/lib/ai/job-types";
import { createOfflineModel } from "@/lib/ai/offline-model";
import { getSummarizeAll, pinPageSummary, requestSummarizeAll, type Actor } from "@/lib/stories";
import { applyPageJobResultFunction } from "@/lib/stories/functions/apply-page-job-result";
import { createRollupStory } from "@/lib/stories/functions/rollup-story";
import { summarizeStoryPagesFunction } from "@/lib/stories/functions/summarize-story-pages";
import { storyJobTypes } from "@/lib/stories/job-types";
import { buildPagePayload, loadPagePromptInput } from "@/lib/stories/page-job-input";
import { scheduleRollups } from "@/lib/stories/rollups/schedule";
import { rollupChildren } from "@/lib/stories/rollups/state";
import { budgetRefusalForChild } from "@/lib/stories/spending-policy";
import { offlineChoice } from "../helpers/offline-choice";
import { sleep, useEngine, waitFor } from "../engine/harness";
import { makeActor } from "../helpers/fixtures";

/*
 * Roll-ups written by the AI (the offline model: extractive) in the embedded engine with the app's functions:
 * written bottom-up for a story of many pages, stale when a summary under them changes and rewritten, a late one
 * discarded, and used by the context assembly while fresh (the stand-in otherwise).
 */

const offline = createOfflineModel({ msPerWord: 0 });
let gate: { promise: Promise<void>; open: () => void; waiting: number } | null = null;
function closeGate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  gate = { promise, open, waiting: 0 };
  return gate;
}
const gated: LanguageModelV4 = {
  ...offline,
  doStream: async (options) => {
    const held = gate;
    if (held) {
      held.waiting++;
      await held.promise;
    }
    return offline.doStream(options);
  },
};
const model = offlineChoice(gated);
const jobTypes = createJobTypeRegistry(storyJobTypes);
const timing = { stallTimeoutMs: 20_000, totalTimeoutMs: 30_000, flushIntervalMs: 0 };

vi.setConfig({ testTimeout: 120_000 });

const t = useEngine(() => [
  createRunAiJob({ model, jobTypes, ...timing }),
  createRunAiChildJob({ model, jobTypes, ...timing, admit: budgetRefusalForChild }),
  applyPageJobResultFunction,
  createRollupStory({ debounceSeconds: 1 }),
  summarizeStoryPagesFunction,
  settleFanOutParentOnFailure,
]);

const NAMES = ["Mara", "Tobias", "Ilse", "Bram", "Odile", "Kasper", "Wren", "Juno"];

/** A story of `count` pages with an AI summary each, written straight into the database (no summary jobs). */
async function summarisedStory(owner: Actor, count: number) {
  const db = t.db();
  const [story] = await db.insert(stories).values({ ownerId: owner.id, title: "The long road" }).returning();
  const rows = await db
    .insert(pages)
    .values(
      Array.from({ length: count }, (_v, i) => ({
        storyId: story!.id,
        position: `a${String(i).padStart(4, "0")}`,
        content: `Page ${i + 1}. ${NAMES[i % NAMES.length]} walked on along the river road toward the northern hills.`,
      })),
    )
    .returning();
  rows.sort((a, b) => a.position.localeCompare(b.position));
  await db.insert(pageSummaries).values(
    rows.map((p, i) => ({
      pageId: p.id,
      storyId: story!.id,
      text: `${NAMES[i % NAMES.length]} reached milestone ${i + 1} on the river road.`,
      tokenCount: 12,
      pageVersion: 1,
      source: "ai" as const,
    })),
  );
  return { story: story!, pages: rows };
}

async function rollupsOf(storyId: string): Promise<StoryRollup[]> {
  return t
    .db()
    .select()
    .from(storyRollups)
    .where(eq(storyRollups.storyId, storyId))
    .orderBy(asc(storyRollups.level), asc(storyRollups.start));
}

/** The runs' fingerprints as they are now in the database. */
async function fingerprintsOf(storyId: string) {
  const db = t.db();
  const live = await db.select().from(pages).where(eq(pages.storyId, storyId)).orderBy(asc(pages.position));
  const summaries = await db.select().from(pageSummaries).where(eq(pageSummaries.storyId, storyId));
  const byPage = new Map(summaries.map((s) => [s.pageId, s.text]));
  return rollupFingerprints(rollupChildren(live, (id) => byPage.get(id)));
}

/** Waits until every run of the story has a roll-up written from the summaries as they are now. */
async function allFresh(storyId: string, runs: number): Promise<StoryRollup[]> {
  return waitFor(
    async () => {
      const [rows, fingerprints] = await Promise.all([rollupsOf(storyId), fingerprintsOf(storyId)]);
      const fresh = rows.filter((r) => fingerprints.get(rollupKey(r.start, r.size)) === r.sourceHash);
      return fresh.length === runs ? rows : null;
    },
    { timeoutMs: 60_000, what: `${runs} fresh roll-ups` },
  );
}

async function rollupJobsOf(storyId: string): Promise<AiJob[]> {
  return t
    .db()
    .select()
    .from(aiJobs)
    .where(and(eq(aiJobs.jobType, "story.rollup"), eq(aiJobs.scopeId, storyId)))
    .orderBy(asc(aiJobs.createdAt));
}

describe("roll-ups written by the AI", () => {
  it("are written bottom-up for a story of many pages, each job in the ledger with its tokens and cost", async () => {
    const author = await makeActor();
    // 20 pages: runs 1–8 and 9–16 (level 1), 1–16 (level 2); pages 17–20 make no full run.
    const { story } = await summarisedStory(author, 20);
    await scheduleRollups(story.id, author.id);
    const rows = await allFresh(story.id, 3);
    expect(rows.map((r) => [r.level, r.start, r.size])).toEqual([
      [1, 0, 8],
      [1, 8, 8],
      [2, 0, 16],
    ]);
    for (const row of rows) {
      expect(row.id).toBe(rollupTargetId(story.id, row.start, row.size));
      expect(row.text.length).toBeGreaterThan(0);
      expect(row.tokenCount).toBeGreaterThan(0);
    }
    // Level 1 is made of the pages' summaries: the extractive roll-up quotes them.
    expect(rows[0]!.text).toMatch(/milestone \d on the river road/);
    expect(rows[1]!.text).toMatch(/milestone (9|1\d) on the river road/);

    // The roll-up row is stored before its job is marked landed (a step of its own): wait for the ledger too.
    const jobs = await waitFor(
      async () => {
        const all = await rollupJobsOf(story.id);
        return all.length === 3 && all.every((j) => j.landedAt !== null) ? all : null;
      },
      { timeoutMs: 30_000, what: "3 landed roll-up jobs" },
    );
    for (const job of jobs) {
      expect(job).toMatchObject({
        status: "succeeded",
        targetType: "story_rollup",
        scopeType: "story",
        requestedBy: author.id,
        templateKey: "story_rollup",
        parentJobId: null,
      });
      expect(job.inputTokens).toBeGreaterThan(0);
      expect(job.outputTokens).toBeGreaterThan(0);
      expect(job.costUsd).not.toBeNull();
      expect(job.landedAt).not.toBeNull();
    }
    // The level-2 roll-up was written from its halves' roll-ups, after them.
    const top = jobs.find((j) => j.targetId === rows[2]!.id)!;
    const payload = top.promptPayload as { parts: { label: string; text: string }[] };
    expect(payload.parts).toEqual([
      { label: "Pages 1–8", text: rows[0]!.text },
      { label: "Pages 9–16", text: rows[1]!.text },
    ]);

    // Asked again with nothing changed: nothing to write.
    expect(await scheduleRollups(story.id, author.id)).toMatchObject({ submitted: 0, fresh: 3 });
  });

  it("follow Summarize all: its summaries land, then the roll-ups over them are written", async () => {
    const author = await makeActor();
    const { story } = await summarisedStory(author, 9);
    // No summaries yet: Summarize all writes them (as page.summarize children), and the roll-up follows the last.
    await t.db().delete(pageSummaries).where(eq(pageSummaries.storyId, story.id));
    const { job } = await requestSummarizeAll(author, { storyId: story.id });
    const ended = await waitFor(
      async () => {
        const view = await getSummarizeAll(author, { storyId: story.id, jobId: job.id });
        return view && ["succeeded", "failed", "cancelled"].includes(view.status) ? view : null;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: "Summarize all to end" },
    );
    expect(ended).toMatchObject({ status: "succeeded", succeeded: 9 });
    const [rollup] = await allFresh(story.id, 1);
    expect(rollup).toMatchObject({ start: 0, size: 8, level: 1 });
    const jobs = await rollupJobsOf(story.id);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.requestedBy).toBe(author.id);
  });

  it("are stale once a summary under them changes, and are written again (the level above too)", async () => {
    const author = await makeActor();
    const { story, pages: rows } = await summarisedStory(author, 16);
    await scheduleRollups(story.id, author.id);
    const before = await allFresh(story.id, 3);

    // The author's own summary of page 3 (pinning announces the change; the roll-ups follow, debounced).
    await pinPageSummary(author, { pageId: rows[2]!.id, text: "Zephyrine burned the bridge behind them all." });
    const fingerprints = await fingerprintsOf(story.id);
    expect(fingerprints.get(rollupKey(0, 8))).not.toBe(before[0]!.sourceHash);
    expect(fingerprints.get(rollupKey(8, 8))).toBe(before[1]!.sourceHash);
    expect(fingerprints.get(rollupKey(0, 16))).not.toBe(before[2]!.sourceHash);

    const after = await allFresh(story.id, 3);
    expect(after[0]!.jobId).not.toBe(before[0]!.jobId);
    expect(after[0]!.sourceHash).toBe(fingerprints.get(rollupKey(0, 8)));
    expect(after[2]!.jobId).not.toBe(before[2]!.jobId);
    // Pages 9–16 did not change: their roll-up was kept, not written again.
    expect(after[1]!.jobId).toBe(before[1]!.jobId);
    expect(await rollupJobsOf(story.id)).toHaveLength(5);
  });

  it("discards a roll-up that finishes after a summary under it changed, and writes a new one", async () => {
    const author = await makeActor();
    const { story, pages: rows } = await summarisedStory(author, 8);
    const held = closeGate();
    await scheduleRollups(story.id, author.id);
    const job = await waitFor(async () => (await rollupJobsOf(story.id)).find((j) => j.status === "running"), {
      timeoutMs: 30_000,
      what: "a running roll-up job",
    });
    await waitFor(async () => held.waiting > 0, { timeoutMs: 30_000, what: "the roll-up to call the model" });
    // A summary changes while the roll-up is being written (not announced: only the late landing may ask again).
    await t
      .db()
      .update(pageSummaries)
      .set({ text: "Quillon drowned the lanterns in the well." })
      .where(eq(pageSummaries.pageId, rows[4]!.id));
    // The roll-up asked for again waits behind a second gate, so what the late landing stored (nothing) shows.
    const next = closeGate();
    held.open();

    const late = await waitFor(
      async () => {
        const [row] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, job.id));
        return row?.landedAt ? row : null;
      },
      { timeoutMs: 30_000, what: "the late roll-up to land" },
    );
    expect(late.status).toBe("succeeded");
    expect(late.outputText).not.toBeNull();
    expect(await rollupsOf(story.id)).toEqual([]);
    gate = null;
    next.open();
    const [fresh] = await allFresh(story.id, 1);
    // The late one is in the ledger only; the stored one was written from the summaries as they are now.
    expect(fresh!.jobId).not.toBe(job.id);
    expect(fresh!.sourceHash).not.toBe((job.promptPayload as { sourceHash: string }).sourceHash);
    expect(await rollupJobsOf(story.id)).toHaveLength(2);
  });
});

describe("the context with stored roll-ups", () => {
  /** The payload of writing the story's last page with a budget too small for every page's summary. */
  async function lastPagePrompt(storyId: string, lastPageId: string) {
    const input = await loadPagePromptInput(t.db(), storyId);
    const { payload } = buildPagePayload({
      story: { title: "The long road", description: "", language: "en" },
      ordered: input.ordered,
      memory: input.memory,
      pageId: lastPageId,
      mode: "revise",
      instruction: "",
      templateBody: "Write.",
      budgetTokens: 600,
      counting: "o200k",
    });
    return payload;
  }

  it("uses a fresh stored roll-up's text, and the stand-in when it is stale or missing", async () => {
    const author = await makeActor();
    const { story, pages: rows } = await summarisedStory(author, 40);
    const last = rows.at(-1)!;
    await scheduleRollups(story.id, author.id);
    // 5 runs of 8, 2 of 16, 1 of 32.
    const stored = await allFresh(story.id, 8);

    const withRollups = await lastPagePrompt(story.id, last.id);
    const far = withRollups.context.find((p) => p.from === 1)!;
    expect(far).toMatchObject({ kind: "rollup", from: 1, source: "ai-rollup" });
    const run = stored.find((r) => r.start === 0 && r.size === far.to)!;
    expect(far.text).toBe(run.text);
    expect(withRollups.contextBreakdown.sections).toContainEqual(
      expect.objectContaining({ kind: "rollup", label: `Pages 1–${far.to}`, source: "ai" }),
    );
    expect(withRollups.contextBreakdown.totalTokens).toBeLessThanOrEqual(600);
    expect(withRollups.contextBreakdown.pagesRepresented).toBe(40);

    // A summary under it changes: the stored roll-up is stale, the stand-in takes its place at once.
    await t
      .db()
      .update(pageSummaries)
      .set({ text: "Something else happened at milestone two." })
      .where(eq(pageSummaries.pageId, rows[1]!.id));
    const stale = await lastPagePrompt(story.id, last.id);
    expect(stale.context.some((p) => p.source === "ai-rollup" && p.from === 1)).toBe(false);
    const standIn = stale.context.find((p) => p.from === 1)!;
    expect(standIn).toMatchObject({ kind: "rollup", source: "stand-in" });
    expect(standIn.text).toContain("(p. 1)");
    expect(stale.contextBreakdown.sections).toContainEqual(
      expect.objectContaining({ kind: "rollup", source: "stand-in" }),
    );
    expect(stale.contextBreakdown.pagesRepresented).toBe(40);

    // No roll-ups stored at all: the stand-ins, and the same guarantees.
    await t.db().delete(storyRollups).where(eq(storyRollups.storyId, story.id));
    const missing = await lastPagePrompt(story.id, last.id);
    expect(missing.context.some((p) => p.source === "ai-rollup")).toBe(false);
    expect(missing.context.find((p) => p.from === 1)).toMatchObject({ kind: "rollup", source: "stand-in" });
    expect(missing.contextBreakdown.totalTokens).toBeLessThanOrEqual(600);
    expect(missing.contextBreakdown.pagesRepresented).toBe(40);
  });
});

/*
 * Two schedulers of one story (the debounced one, a landing roll-up's) racing: the second read "nothing in flight"
 * before the first recorded its job, and that job finished before the second wrote its own, so the model was asked
 * for the same run twice. Needs several connections: on PGlite every transaction is taken one at a time anyway.
 */
describe.skipIf(!process.env.DATABASE_URL)("roll-up scheduling for one story on PostgreSQL", () => {
  it("waits for a scheduler under way and joins the job it recorded, rather than writing the run twice", async () => {
    const author = await makeActor();
    const { story } = await summarisedStory(author, 8);
    const targetId = rollupTargetId(story.id, 0, 8);
    const db = t.db();
    let scheduling: ReturnType<typeof scheduleRollups> | undefined;
    await db.transaction(async (tx) => {
      // Another scheduler holds the story's roll-up lock and records a job for the run, which finishes at once.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`story-rollups:${story.id}`}, 0))`);
      await tx.insert(aiJobs).values({
        jobType: "story.rollup",
        status: "succeeded",
        targetType: "story_rollup",
        targetId,
        scopeType: "story",
        scopeId: story.id,
        requestedBy: author.id,
        templateKey: "story_rollup",
        templateVersion: 1,
        provider: "offline",
        model: "offline",
        promptPayload: {},
        outputText: "Mara and the others walked the river road.",
        completedAt: new Date(),
      });
      scheduling = scheduleRollups(story.id, author.id);
      // Time for a scheduler that does not wait to read, decide and record its own job before this one commits.
      await sleep(500);
    });
    expect(await scheduling).toMatchObject({ submitted: 0, joined: 1 });
    const jobs = await rollupJobsOf(story.id);
    expect(jobs.filter((j) => j.targetId === targetId)).toHaveLength(1);
  });
});
