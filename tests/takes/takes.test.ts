import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { pageRevisions, users } from "@/db/schema";
import { pageSuggestions } from "@/db/suggestions-schema";
import { createRunAiJob } from "@/lib/ai/functions/run-ai-job";
import { settleFanOutParentOnFailure } from "@/lib/ai/functions/settle-fan-out-parent";
import { createJobTypeRegistry } from "@/lib/ai/job-types";
import { resolveModel } from "@/lib/ai/models";
import { createOfflineModel, offlineText } from "@/lib/ai/offline-model";
import {
  cancelTakeSet,
  chooseTake,
  getOpenTakeSet,
  getTakeSet,
  requestAnotherTake,
  requestPageText,
  requestTakes,
  savePage,
  type TakeSetView,
} from "@/lib/stories";
import { applyPageJobResultFunction } from "@/lib/stories/functions/apply-page-job-result";
import { pageTextTakesFunction } from "@/lib/stories/functions/page-text-takes";
import { storyJobTypes } from "@/lib/stories/job-types";
import { useEngine, waitFor } from "../engine/harness";
import { expectAppError, makeActor, makeStory, pageRow, snapshot } from "../helpers/fixtures";

/**
 * Issue 15, takes: a take set is one text job on its page whose takes run side by side as its children, each with its
 * own temperature and seed; the author chooses one (it lands like Generate) and the others stay discarded in the ledger.
 */
const jobTypes = createJobTypeRegistry(storyJobTypes);
const model = createOfflineModel({ msPerWord: 0 });
const t = useEngine(() => [
  createRunAiJob({ model: () => ({ ...resolveModel({}), model }), jobTypes, flushIntervalMs: 0 }),
  applyPageJobResultFunction,
  pageTextTakesFunction,
  settleFanOutParentOnFailure,
]);

const ENV_KEYS = ["AI_DAILY_TOKEN_BUDGET", "AI_RATE_LIMIT_PER_MINUTE"] as const;
afterEach(() => {
  for (const key of ENV_KEYS) delete process.env[key];
});

type Who = Parameters<typeof getTakeSet>[0];

async function ready(actor: Who, setId: string): Promise<TakeSetView> {
  return waitFor(
    async () => {
      const set = await getTakeSet(actor, { setId });
      return set.state !== "writing" ? set : null;
    },
    { timeoutMs: 30_000, what: `take set ${setId} to be written` },
  );
}

const story3 = [
  "Mara walked to the harbour at dawn. The boats rocked against the pier.",
  "The lighthouse keeper waved at Mara from the rocks.",
];

describe("takes", () => {
  it("writes 2–4 takes side by side, each with its own temperature and seed, distinct and deterministic per seed", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, story3);
    const { set, created } = await requestTakes(author, { pageId: pages[0]!.id, instruction: "Make it tense" });
    expect(created).toBe(true);
    expect(set.takes).toHaveLength(3);
    expect(set.mode).toBe("revise");
    const samplings = set.takes.map((take) => `${take.temperature}/${take.seed}`);
    expect(new Set(samplings).size).toBe(3);

    const done = await ready(author, set.id);
    expect(done.state).toBe("ready");
    expect(done.takes.every((take) => take.status === "succeeded")).toBe(true);
    expect(new Set(done.takes.map((take) => take.text)).size).toBe(3);
    for (const take of done.takes) {
      expect(take.outputTokens).toBeGreaterThan(0);
      expect(take.elapsedMs).not.toBeNull();
    }
    // The page is untouched until the author chooses.
    expect((await pageRow(pages[0]!.id))!.content).toBe(story3[0]);
    // The offline model: the same prompt and seed give the same text, another seed another text.
    const [row] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, done.takes[0]!.id));
    const prompt = await import("@/lib/ai/prompts").then(async ({ loadTemplate, renderTemplate }) =>
      renderTemplate(
        await loadTemplate(row!.templateKey, row!.templateVersion),
        row!.promptPayload as Record<string, unknown>,
      ),
    );
    expect(offlineText(prompt, done.takes[0]!.seed!)).toBe(done.takes[0]!.text);
    expect(offlineText(prompt, done.takes[0]!.seed! + 1)).not.toBe(done.takes[0]!.text);
  });

  it("choosing a take writes it as the page's revision; the others are discarded, kept in the ledger", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, story3);
    const { set } = await requestTakes(author, { pageId: pages[0]!.id, count: 2 });
    const done = await ready(author, set.id);
    const [first, second] = done.takes;
    const chosen = await chooseTake(author, { setId: set.id, takeId: second!.id });
    expect(chosen).toMatchObject({ state: "chosen", chosenTakeId: second!.id, landing: "applied" });
    const page = (await pageRow(pages[0]!.id))!;
    expect(page.content).toBe(second!.text);
    const revisions = await t.db().select().from(pageRevisions).where(eq(pageRevisions.pageId, pages[0]!.id));
    expect(revisions.find((r) => r.jobId === second!.id)).toBeDefined();
    expect(revisions.find((r) => r.jobId === first!.id)).toBeUndefined();
    const [discarded] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, first!.id));
    expect(discarded!.discardedAt).not.toBeNull();
    expect(discarded!.outputText).toBe(first!.text);
    expect(discarded!.parentJobId).toBe(set.id);
    expect(await t.db().select().from(pageSuggestions).where(eq(pageSuggestions.jobId, first!.id))).toHaveLength(0);
    // The set is closed: no second choice, and no choice of the discarded take.
    await expectAppError(chooseTake(author, { setId: set.id, takeId: first!.id }), "CONFLICT");
    // The same choice again is answered as it stands (a retried request).
    expect(await chooseTake(author, { setId: set.id, takeId: second!.id })).toMatchObject({ state: "chosen" });
    expect(await getOpenTakeSet(author, { pageId: pages[0]!.id })).toBeNull();
  });

  it("a take chosen after the page changed waits as a suggestion", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, story3);
    const { set } = await requestTakes(author, { pageId: pages[0]!.id, count: 2 });
    const done = await ready(author, set.id);
    const page = (await pageRow(pages[0]!.id))!;
    await savePage(author, { pageId: page.id, content: "The author's own text.", baseVersion: page.version });
    const chosen = await chooseTake(author, { setId: set.id, takeId: done.takes[0]!.id });
    expect(chosen.landing).toBe("suggested");
    expect((await pageRow(pages[0]!.id))!.content).toBe("The author's own text.");
    const [suggestion] = await t
      .db()
      .select()
      .from(pageSuggestions)
      .where(eq(pageSuggestions.jobId, done.takes[0]!.id));
    expect(suggestion).toMatchObject({ content: done.takes[0]!.text, reason: "page_changed", status: "open" });
  });

  it("one open set per page: a second request joins it, even once written; Generate meanwhile is refused", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, story3);
    const { set } = await requestTakes(author, { pageId: pages[1]!.id });
    const again = await requestTakes(author, { pageId: pages[1]!.id, count: 4 });
    expect(again).toMatchObject({ created: false, set: { id: set.id } });
    expect(again.set.takes).toHaveLength(3);
    await expectAppError(requestPageText(author, { pageId: pages[1]!.id }), "CONFLICT");
    await ready(author, set.id);
    expect((await requestTakes(author, { pageId: pages[1]!.id })).set.id).toBe(set.id);
    expect((await getOpenTakeSet(author, { pageId: pages[1]!.id }))!.id).toBe(set.id);
  });

  it("another take adds a child to the set and keeps the others", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, story3);
    const { set } = await requestTakes(author, { pageId: pages[0]!.id, count: 2 });
    const done = await ready(author, set.id);
    const more = await requestAnotherTake(author, { setId: set.id });
    expect(more.takes).toHaveLength(3);
    expect(more.state).toBe("writing");
    const after = await ready(author, set.id);
    expect(after.takes.slice(0, 2).map((take) => take.text)).toEqual(done.takes.map((take) => take.text));
    expect(after.takes[2]).toMatchObject({ status: "succeeded", number: 3 });
    expect(new Set(after.takes.map((take) => take.text)).size).toBe(3);
    const children = await t.db().select().from(aiJobs).where(eq(aiJobs.parentJobId, set.id));
    expect(children).toHaveLength(3);
  });

  it("cancel discards the set and its takes; the page is free for a new set", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, story3);
    const { set } = await requestTakes(author, { pageId: pages[0]!.id, count: 2 });
    await ready(author, set.id);
    const cancelled = await cancelTakeSet(author, { setId: set.id });
    expect(cancelled.state).toBe("dismissed");
    expect(cancelled.takes.every((take) => take.discarded)).toBe(true);
    await expectAppError(chooseTake(author, { setId: set.id, takeId: cancelled.takes[0]!.id }), "CONFLICT");
    await expectAppError(requestAnotherTake(author, { setId: set.id }), "CONFLICT");
    const fresh = await requestTakes(author, { pageId: pages[0]!.id, count: 2 });
    expect(fresh.created).toBe(true);
    expect(fresh.set.id).not.toBe(set.id);
    await ready(author, fresh.set.id);
  });

  it("bad input is refused clearly and creates nothing", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, story3);
    const before = await snapshot();
    for (const count of [1, 5, 2.5, "three"]) {
      const error = await expectAppError(requestTakes(author, { pageId: pages[0]!.id, count }), "VALIDATION");
      expect(error.message).toMatch(/take/i);
    }
    expect(await snapshot()).toEqual(before);

    // A take of another page's set is not a take of this set.
    const a = await requestTakes(author, { pageId: pages[0]!.id, count: 2 });
    const b = await requestTakes(author, { pageId: pages[1]!.id, count: 2 });
    await ready(author, a.set.id);
    const bDone = await ready(author, b.set.id);
    await expectAppError(chooseTake(author, { setId: a.set.id, takeId: bDone.takes[0]!.id }), "VALIDATION");
    expect((await getTakeSet(author, { setId: a.set.id })).state).toBe("ready");
    expect((await pageRow(pages[0]!.id))!.content).toBe(story3[0]);
  });

  it("budgets and the rate limit count every take; a set is admitted whole or not at all", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, story3);
    const before = await snapshot();
    process.env.AI_RATE_LIMIT_PER_MINUTE = "3";
    await expectAppError(requestTakes(author, { pageId: pages[0]!.id, count: 4 }), "RATE_LIMITED");
    expect(await snapshot()).toEqual(before);
    const { set } = await requestTakes(author, { pageId: pages[0]!.id, count: 3 });
    // Three takes are three requests: the minute's allowance is spent.
    await expectAppError(requestPageText(author, { pageId: pages[1]!.id }), "RATE_LIMITED");
    await ready(author, set.id);
    await expectAppError(requestAnotherTake(author, { setId: set.id }), "RATE_LIMITED");
    delete process.env.AI_RATE_LIMIT_PER_MINUTE;

    // A token budget that covers one take's prompt but not three.
    const other = await makeActor();
    const story = await makeStory(other, story3);
    const one = await requestTakes(other, { pageId: story.pages[1]!.id, count: 2 });
    await ready(other, one.set.id);
    const [row] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, one.set.takes[0]!.id));
    const perTake = (row!.promptPayload as { contextBreakdown: { totalTokens: number } }).contextBreakdown.totalTokens;
    const [usage] = await t.db().select({ input: aiJobs.inputTokens, output: aiJobs.outputTokens }).from(aiJobs);
    expect(usage).toBeDefined();
    const usedSoFar = (await t.db().select().from(aiJobs).where(eq(aiJobs.requestedBy, other.id))).reduce(
      (sum, job) => sum + (job.inputTokens ?? 0) + (job.outputTokens ?? 0),
      0,
    );
    await t
      .db()
      .update(users)
      .set({ dailyTokenBudget: usedSoFar + perTake * 2 })
      .where(eq(users.id, other.id));
    const beforeBudget = await snapshot();
    await expectAppError(requestTakes(other, { pageId: story.pages[0]!.id, count: 3 }), "GEN_BUDGET_EXCEEDED");
    expect(await snapshot()).toEqual(beforeBudget);
    const two = await requestTakes(other, { pageId: story.pages[0]!.id, count: 2 });
    expect(two.created).toBe(true);
    await ready(other, two.set.id);
  });
});
