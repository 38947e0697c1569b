import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { users } from "@/db/schema";
import { pageSuggestions } from "@/db/suggestions-schema";
import { createRunAiChildJob } from "@/lib/ai/functions/run-ai-child-job";
import { createRunAiJob } from "@/lib/ai/functions/run-ai-job";
import { settleFanOutParentOnFailure } from "@/lib/ai/functions/settle-fan-out-parent";
import { resolveModel } from "@/lib/ai/models";
import {
  applyAllSuggestions,
  cancelBackgroundRevision,
  discardAllSuggestions,
  getBackgroundRevision,
  requestBackgroundRevision,
  requestPageText,
  savePage,
  type BackgroundRevisionView,
} from "@/lib/stories";
import { applyPageJobResultFunction } from "@/lib/stories/functions/apply-page-job-result";
import { reviseStoryPagesFunction } from "@/lib/stories/functions/revise-story-pages";
import { budgetRefusalForChild } from "@/lib/stories/spending-policy";
import { useEngine, waitFor } from "../engine/harness";
import { expectAppError, makeActor, makeStory, pageRow } from "../helpers/fixtures";
import { startFakeOpenAI } from "../generation/fake-openai";

// Same set-up as tests/generation: the real provider over HTTP against a local fake, the real functions in the
// embedded engine. The background limit is 2, so "at most 2 model calls at once" is what the fake must observe.
process.env.OPENAI_BASE_URL = "http://127.0.0.1:9/v1";
process.env.AI_MODEL = "gpt-4o-mini";
const LIMIT = 2;

let fake: Awaited<ReturnType<typeof startFakeOpenAI>>;
const model = () => resolveModel({ OPENAI_BASE_URL: fake.baseUrl, AI_MODEL: "gpt-4o-mini" });
const timing = { stallTimeoutMs: 2_000, totalTimeoutMs: 20_000, flushIntervalMs: 0 };
const t = useEngine(() => [
  createRunAiJob({ model, ...timing }),
  createRunAiChildJob({ model, ...timing, globalConcurrency: LIMIT, admit: budgetRefusalForChild }),
  applyPageJobResultFunction,
  reviseStoryPagesFunction,
  settleFanOutParentOnFailure,
]);

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(async () => {
  await fake?.close();
  delete process.env.OPENAI_BASE_URL;
  delete process.env.AI_MODEL;
});

const words = (text: string) => text.split(/(?<= )/);
const slow = (n: number, delayMs = 20) => ({
  kind: "stream" as const,
  words: Array.from({ length: n }, (_v, i) => `w${i} `),
  delayMs,
});

type Who = Parameters<typeof getBackgroundRevision>[0];

/** Polls the progress view until the revision has ended; checks on every poll that the counts add up. */
async function finished(actor: Who, storyId: string, jobId: string): Promise<BackgroundRevisionView> {
  return waitFor(
    async () => {
      const view = (await getBackgroundRevision(actor, { storyId, jobId }))!;
      if (view.status !== "pending") expect(view.done + view.active).toBe(view.total);
      return ["succeeded", "failed", "cancelled"].includes(view.status) ? view : null;
    },
    { timeoutMs: 40_000, what: `background revision ${jobId} to end` },
  );
}

async function childrenOf(parentId: string) {
  return t.db().select().from(aiJobs).where(eq(aiJobs.parentJobId, parentId));
}

describe("background revisions", () => {
  it("fans out one child per page, at most the limit at once, and every result is a suggestion", async () => {
    const author = await makeActor();
    const texts = ["One apple.", "Two pears.", "Three plums.", "Four figs.", "Five limes."];
    const { story, pages } = await makeStory(author, texts);
    fake.script([{ kind: "stream", words: words("A better page with more words in it."), delayMs: 15 }]);

    const { revision, created } = await requestBackgroundRevision(author, {
      storyId: story.id,
      pageIds: pages.map((p) => p.id),
      instruction: "Make it sing",
    });
    expect(created).toBe(true);
    expect(revision).toMatchObject({ status: "pending", total: 5, done: 0 });

    const done = await finished(author, story.id, revision.id);
    expect(done).toMatchObject({
      status: "succeeded",
      total: 5,
      done: 5,
      succeeded: 5,
      failed: 0,
      active: 0,
      openSuggestions: 5,
    });
    expect(done.pages.map((p) => p.pageNumber)).toEqual([1, 2, 3, 4, 5]);
    expect(fake.load.maxInFlight).toBeGreaterThan(0);
    expect(fake.load.maxInFlight).toBeLessThanOrEqual(LIMIT);

    const [parent] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, revision.id));
    expect(parent).toMatchObject({
      jobType: "story.revise_pages",
      targetType: "story",
      targetId: story.id,
      scopeType: "story",
      scopeId: story.id,
      requestedBy: author.id,
      outputText: null,
    });
    const children = await childrenOf(revision.id);
    expect(children).toHaveLength(5);
    expect(new Set(children.map((c) => c.targetId))).toEqual(new Set(pages.map((p) => p.id)));
    for (const child of children) {
      expect(child).toMatchObject({
        jobType: "page_text.revise",
        status: "succeeded",
        scopeType: "story",
        scopeId: story.id,
        instruction: "Make it sing",
      });
    }
    expect(JSON.stringify(fake.requests[0]!.body)).toContain("Make it sing");

    // Nothing was written: every page keeps its text and version, and each has an open suggestion.
    for (const [i, page] of pages.entries())
      expect(await pageRow(page.id)).toMatchObject({ content: texts[i], version: 1 });
    const suggestions = await t.db().select().from(pageSuggestions);
    const mine = suggestions.filter((s) => pages.some((p) => p.id === s.pageId));
    expect(mine).toHaveLength(5);
    expect(mine.every((s) => s.status === "open" && s.content === "A better page with more words in it.")).toBe(true);
  });

  it("ends the parent by itself when the last suggestion lands, with nobody watching the progress view", async () => {
    const author = await makeActor();
    const { story, pages } = await makeStory(author, ["Left alone one.", "Left alone two."]);
    fake.script([{ kind: "stream", words: words("Reworked.") }]);
    const { revision } = await requestBackgroundRevision(author, {
      storyId: story.id,
      pageIds: pages.map((p) => p.id),
      instruction: "tighter",
    });

    // Reads the row only: the progress view settles a parent it finds finished, which would hide a missing settle.
    const parent = await waitFor(
      async () => {
        const [row] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, revision.id));
        return row && row.status !== "pending" && row.status !== "running" ? row : null;
      },
      { timeoutMs: 40_000, what: "the parent to end on its own" },
    );
    expect(parent.status).toBe("succeeded");
    expect((await childrenOf(revision.id)).every((c) => c.status === "succeeded")).toBe(true);
  });

  it("keeps the author's edit made during the run; Apply all applies the rest and reports the stale page", async () => {
    const author = await makeActor();
    const { story, pages } = await makeStory(author, ["Alpha text.", "Beta text.", "Gamma text."]);
    fake.script([slow(40)]);
    const { revision } = await requestBackgroundRevision(author, {
      storyId: story.id,
      pageIds: pages.map((p) => p.id),
      instruction: "shorter",
    });
    await waitFor(async () => (await childrenOf(revision.id)).length === 3, { what: "children" });
    await savePage(author, { pageId: pages[1]!.id, content: "The author's own edit.", baseVersion: 1 });

    const done = await finished(author, story.id, revision.id);
    expect(done).toMatchObject({ status: "succeeded", succeeded: 3, openSuggestions: 3 });
    expect(await pageRow(pages[1]!.id)).toMatchObject({ content: "The author's own edit.", version: 2 });

    const outcome = await applyAllSuggestions(author, { jobId: revision.id });
    expect(outcome.applied.map((a) => a.pageNumber)).toEqual([1, 3]);
    expect(outcome.stale).toEqual([{ pageId: pages[1]!.id, pageNumber: 2 }]);
    expect(outcome.alreadyResolved).toEqual([]);
    expect(outcome.revision.openSuggestions).toBe(1);
    const machine = Array.from({ length: 40 }, (_v, i) => `w${i} `).join("");
    expect(await pageRow(pages[0]!.id)).toMatchObject({ content: machine, version: 2 });
    expect(await pageRow(pages[2]!.id)).toMatchObject({ content: machine, version: 2 });
    expect(await pageRow(pages[1]!.id)).toMatchObject({ content: "The author's own edit.", version: 2 });

    // The stale one can still be discarded.
    const discarded = await discardAllSuggestions(author, { jobId: revision.id });
    expect(discarded.discarded).toBe(1);
    // Which pages, so the panel can say so.
    expect(discarded.pages).toEqual([{ pageId: pages[1]!.id, pageNumber: 2 }]);
    expect(discarded.revision.openSuggestions).toBe(0);
    // Nothing left to review: the story no longer shows it.
    expect(await getBackgroundRevision(author, { storyId: story.id })).toBeNull();
  });

  it("cancelling stops the pages not finished yet; finished ones keep their suggestions", async () => {
    const author = await makeActor();
    const { story, pages } = await makeStory(author, ["P1.", "P2.", "P3.", "P4.", "P5."]);
    // The first two calls finish at once, the others would take many seconds.
    fake.script([
      { kind: "stream", words: words("Quick one.") },
      { kind: "stream", words: words("Quick two.") },
      slow(500, 20),
    ]);
    const { revision } = await requestBackgroundRevision(author, {
      storyId: story.id,
      pageIds: pages.map((p) => p.id),
      instruction: "x",
    });
    await waitFor(
      async () => {
        const view = (await getBackgroundRevision(author, { storyId: story.id, jobId: revision.id }))!;
        return view.succeeded >= 2 && view.pages.some((p) => p.status === "running") ? view : null;
      },
      { timeoutMs: 30_000, what: "two pages done and another running" },
    );
    const cancelled = await cancelBackgroundRevision(author, { jobId: revision.id });
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled).toMatchObject({ succeeded: 2, cancelled: 3, active: 0, openSuggestions: 2 });

    // The runs stop: no child becomes active again, and the pages not started never reach the model (five pages,
    // but at most the two quick ones plus those running at the cancel are ever sent).
    await waitFor(async () => (await t.db().select().from(aiJobs).where(eq(aiJobs.status, "running"))).length === 0, {
      what: "no running jobs",
    });
    const children = await childrenOf(revision.id);
    expect(children.filter((c) => c.status === "cancelled")).toHaveLength(3);
    expect(children.filter((c) => c.status === "succeeded")).toHaveLength(2);
    expect(fake.requests.length).toBeLessThanOrEqual(2 + LIMIT);
    for (const page of pages) expect((await pageRow(page.id))!.version).toBe(1);
    const view = (await getBackgroundRevision(author, { storyId: story.id }))!;
    expect(view).toMatchObject({ id: revision.id, status: "cancelled", openSuggestions: 2 });
  });

  it("pages whose turn comes after the budget ran out fail with the budget message and never reach the model", async () => {
    const author = await makeActor();
    // Its own page texts and one behaviour for every call: a late call of the test before (a page running when it
    // was cancelled) can neither be counted here nor take this test's answers out of turn.
    const { story, pages } = await makeStory(author, ["Budget P1.", "Budget P2.", "Budget P3."]);
    fake.script([slow(60, 20)]);
    const { revision } = await requestBackgroundRevision(author, {
      storyId: story.id,
      pageIds: pages.map((p) => p.id),
      instruction: "x",
    });
    // Two pages run (the limit); the third waits. Meanwhile an admin stops the author's AI use for today.
    await waitFor(
      async () => (await childrenOf(revision.id)).filter((c) => c.status === "running").length === LIMIT || null,
      {
        what: "two pages running",
      },
    );
    await t.db().update(users).set({ dailyTokenBudget: 0 }).where(eq(users.id, author.id));

    const done = await finished(author, story.id, revision.id);
    expect(done).toMatchObject({ status: "succeeded", succeeded: 2, failed: 1, openSuggestions: 2 });
    expect(done.failures).toEqual([
      {
        pageId: expect.any(String),
        pageNumber: expect.any(Number),
        message: "Your AI budget for today ran out before this page's turn.",
      },
    ]);
    const refused = (await childrenOf(revision.id)).find((c) => c.status === "failed")!;
    expect(refused).toMatchObject({ errorCode: "GEN_BUDGET_EXCEEDED", attempts: 0 });
    expect(fake.requests.filter((r) => JSON.stringify(r.body).includes("Budget P"))).toHaveLength(2);
  });

  it("lists failed pages with their messages; the revision fails only when every page failed", async () => {
    const author = await makeActor();
    const { story, pages } = await makeStory(author, ["Fine.", "Doomed."]);
    fake.script([
      { kind: "stream", words: words("Good.") },
      { kind: "status", status: 400 },
    ]);
    // One at a time so the scripted order is the pages' order.
    const { revision } = await requestBackgroundRevision(author, {
      storyId: story.id,
      pageIds: [pages[0]!.id],
      instruction: "x",
    });
    const first = await finished(author, story.id, revision.id);
    expect(first).toMatchObject({ status: "succeeded", succeeded: 1, failed: 0 });

    const second = await requestBackgroundRevision(author, {
      storyId: story.id,
      pageIds: [pages[1]!.id],
      instruction: "x",
    });
    const failed = await finished(author, story.id, second.revision.id);
    expect(failed).toMatchObject({ status: "failed", failed: 1, done: 1, total: 1 });
    expect(failed.failures).toEqual([
      { pageId: pages[1]!.id, pageNumber: 2, message: "The request did not fit what the AI model accepts." },
    ]);
    const [parent] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, second.revision.id));
    expect(parent!.errorCode).toBe("GEN_CONSTRAINT_FAIL");

    // One of two pages failing: the revision succeeds, with the failure listed.
    fake.script([
      { kind: "stream", words: words("Good.") },
      { kind: "status", status: 400 },
      { kind: "stream", words: words("Good.") },
    ]);
    const third = await requestBackgroundRevision(author, {
      storyId: story.id,
      pageIds: pages.map((p) => p.id),
      instruction: "x",
    });
    const mixed = await finished(author, story.id, third.revision.id);
    expect(mixed).toMatchObject({
      status: "succeeded",
      total: 2,
      done: 2,
      succeeded: 1,
      failed: 1,
      openSuggestions: 1,
    });
    expect(mixed.failures).toHaveLength(1);
  });

  it("refuses blank pages up front, and an empty instruction", async () => {
    const author = await makeActor();
    const { story, pages } = await makeStory(author, ["Text.", "", "  "]);
    const error = await expectAppError(
      requestBackgroundRevision(author, { storyId: story.id, pageIds: pages.map((p) => p.id), instruction: "x" }),
      "VALIDATION",
    );
    expect(error.message).toBe(
      "Pages 2, 3 are blank: there is nothing to revise. Unselect them (or write them first).",
    );
    await expectAppError(
      requestBackgroundRevision(author, { storyId: story.id, pageIds: [pages[0]!.id], instruction: "  " }),
      "VALIDATION",
    );
    await expectAppError(
      requestBackgroundRevision(author, { storyId: story.id, pageIds: [pages[0]!.id], instruction: "x".repeat(501) }),
      "VALIDATION",
    );
    await expectAppError(
      requestBackgroundRevision(author, { storyId: story.id, pageIds: [], instruction: "x" }),
      "VALIDATION",
    );
    const rows = await t.db().select().from(aiJobs).where(eq(aiJobs.requestedBy, author.id));
    expect(rows).toHaveLength(0);
  });

  it("skips a page that is already generating, joins a second request, and Generate on a page joins its child", async () => {
    const author = await makeActor();
    const { story, pages } = await makeStory(author, ["Busy page.", "Free page.", "Third page."]);
    fake.script([slow(60, 20)]);
    const single = await requestPageText(author, { pageId: pages[0]!.id });
    const { revision } = await requestBackgroundRevision(author, {
      storyId: story.id,
      pageIds: pages.map((p) => p.id),
      instruction: "x",
    });

    const again = await requestBackgroundRevision(author, {
      storyId: story.id,
      pageIds: [pages[1]!.id],
      instruction: "other",
    });
    expect(again.created).toBe(false);
    expect(again.revision.id).toBe(revision.id);
    expect(again.message).toMatch(/already running/);

    const running = await waitFor(
      async () => {
        const view = (await getBackgroundRevision(author, { storyId: story.id, jobId: revision.id }))!;
        return view.status === "running" ? view : null;
      },
      { what: "fan-out" },
    );
    expect(running.total).toBe(2);
    expect(running.skipped).toEqual([
      { pageId: pages[0]!.id, pageNumber: 1, reason: "busy", message: "skipped: already generating" },
    ]);
    const joined = await requestPageText(author, { pageId: pages[1]!.id });
    expect(joined.parentJobId).toBe(revision.id);
    expect(joined.id).not.toBe(single.id);

    const done = await finished(author, story.id, revision.id);
    expect(done).toMatchObject({ status: "succeeded", total: 2, succeeded: 2 });
    expect((await childrenOf(revision.id)).map((c) => c.targetId).sort()).toEqual([pages[1]!.id, pages[2]!.id].sort());
  });
});

describe("background revisions: who may do what", () => {
  it("author B and anonymous get NOT_FOUND / UNAUTHENTICATED; A's revision is untouched; an admin may look", async () => {
    const owner = await makeActor();
    const other = await makeActor();
    const admin = await makeActor("admin");
    const { story, pages } = await makeStory(owner, ["Mine.", "Also mine."]);
    fake.script([slow(50, 20)]);
    const { revision } = await requestBackgroundRevision(owner, {
      storyId: story.id,
      pageIds: pages.map((p) => p.id),
      instruction: "x",
    });
    const jobId = revision.id;

    const request = { storyId: story.id, pageIds: [pages[0]!.id], instruction: "x" };
    await expectAppError(requestBackgroundRevision(other, request), "NOT_FOUND");
    await expectAppError(getBackgroundRevision(other, { storyId: story.id }), "NOT_FOUND");
    await expectAppError(getBackgroundRevision(other, { storyId: story.id, jobId }), "NOT_FOUND");
    await expectAppError(cancelBackgroundRevision(other, { jobId }), "NOT_FOUND");
    await expectAppError(applyAllSuggestions(other, { jobId }), "NOT_FOUND");
    await expectAppError(discardAllSuggestions(other, { jobId }), "NOT_FOUND");
    // B's own story with A's pages is not a way in either.
    const { story: bStory } = await makeStory(other, ["B's page."]);
    await expectAppError(requestBackgroundRevision(other, { ...request, storyId: bStory.id }), "NOT_FOUND");

    await expectAppError(requestBackgroundRevision(null, request), "UNAUTHENTICATED");
    await expectAppError(getBackgroundRevision(null, { storyId: story.id }), "UNAUTHENTICATED");
    await expectAppError(cancelBackgroundRevision(null, { jobId }), "UNAUTHENTICATED");
    await expectAppError(applyAllSuggestions(null, { jobId }), "UNAUTHENTICATED");
    await expectAppError(discardAllSuggestions(null, { jobId }), "UNAUTHENTICATED");

    const [parent] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, jobId));
    expect(["pending", "running"]).toContain(parent!.status);
    expect((await getBackgroundRevision(admin, { storyId: story.id }))!.id).toBe(jobId);

    expect((await cancelBackgroundRevision(owner, { jobId })).status).toBe("cancelled");
  });
});
