import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { inngestAttempts, inngestRuns } from "@/lib/inngest/embedded/testing";
import { pageRevisions } from "@/db/schema";
import { pageSuggestions } from "@/db/suggestions-schema";
import { createRunAiJob } from "@/lib/ai/functions/run-ai-job";
import { enqueueJob } from "@/lib/ai/jobs/queue";
import { subscribeJobUpdates } from "@/lib/ai/jobs/live";
import { createJobTypeRegistry } from "@/lib/ai/job-types";
import { resolveModel } from "@/lib/ai/models";
import { applyPageJobResultFunction } from "@/lib/stories/functions/apply-page-job-result";
import { storyJobTypes } from "@/lib/stories/job-types";
import {
  applySuggestion,
  cancelPageJob,
  getPageJob,
  requestPageText,
  savePage,
  undoPageJob,
  type PageJobView,
} from "@/lib/stories";
import { useEngine, waitFor } from "../engine/harness";
import { completedJobRunSteps } from "../helpers/engine-rows";
import { expectAppError, makeActor, makeStory, pageRow } from "../helpers/fixtures";
import { startFakeOpenAI } from "./fake-openai";

// The real @ai-sdk/openai provider talks to a local OpenAI-compatible server over HTTP; the job runs through the
// embedded engine with the app's real functions.
process.env.OPENAI_BASE_URL = "http://127.0.0.1:9/v1"; // recorded in the job row; the run uses the fake below
process.env.AI_MODEL = "gpt-4o-mini";

let fake: Awaited<ReturnType<typeof startFakeOpenAI>>;
const runAiJob = createRunAiJob({
  model: () => resolveModel({ OPENAI_BASE_URL: fake.baseUrl, AI_MODEL: "gpt-4o-mini" }),
  stallTimeoutMs: 400,
  totalTimeoutMs: 10_000,
  flushIntervalMs: 0,
  // The app's job types, as the served function gets them (their validate steps included).
  jobTypes: createJobTypeRegistry(storyJobTypes),
});
const t = useEngine(() => [runAiJob, applyPageJobResultFunction]);

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(async () => {
  await fake?.close();
  delete process.env.OPENAI_BASE_URL;
  delete process.env.AI_MODEL;
});

const words = (text: string) => text.split(/(?<= )/);

async function settled(actor: Parameters<typeof getPageJob>[0], jobId: string): Promise<PageJobView> {
  return waitFor(
    async () => {
      const job = await getPageJob(actor, { jobId });
      const done =
        job.status === "failed" || job.status === "cancelled" || (job.status === "succeeded" && job.resolution);
      return done ? job : null;
    },
    { timeoutMs: 30_000, what: `job ${jobId} to settle` },
  );
}

async function jobRow(jobId: string) {
  const [row] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, jobId));
  return row!;
}

describe("Generate with AI through the engine", () => {
  it("writes a blank page from the story, streaming, and records usage, cost and the prompt hash", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mara climbed the lighthouse stairs.", "", "Tobin said nothing."]);
    const target = pages[1]!;
    fake.script([{ kind: "stream", words: words("The lamp woke with a sigh and the sea answered."), delayMs: 15 }]);
    const partials: string[] = [];
    const job = await requestPageText(author, { pageId: target.id });
    const stop = subscribeJobUpdates(job.id, (u) => u.partialText && partials.push(u.partialText));
    expect(job.jobType).toBe("page_text.write");
    const done = await settled(author, job.id);
    stop();

    expect(done.status).toBe("succeeded");
    expect(done.resolution).toBe("applied");
    const page = await pageRow(target.id);
    expect(page!.content).toBe("The lamp woke with a sigh and the sea answered.");
    expect(page!.version).toBe(2);
    expect(done.page).toMatchObject({ content: page!.content, version: 2 });
    const [revision] = await t.db().select().from(pageRevisions).where(eq(pageRevisions.jobId, job.id));
    expect(revision).toMatchObject({ source: "ai", version: 2, content: page!.content });

    const row = await jobRow(job.id);
    expect(row).toMatchObject({
      status: "succeeded",
      attempts: 1,
      inputTokens: 42,
      outputTokens: 10,
      provider: "openai-compatible",
      model: "gpt-4o-mini",
      baseVersion: 1,
    });
    expect(Number(row.costUsd)).toBeCloseTo((42 * 0.15 + 10 * 0.6) / 1e6, 6);
    expect(Number(row.costUsd)).toBeGreaterThan(0);
    expect(row.promptHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.startedAt).toBeInstanceOf(Date);
    expect(row.firstTokenAt!.getTime()).toBeGreaterThanOrEqual(row.startedAt!.getTime());
    expect(row.completedAt!.getTime()).toBeGreaterThanOrEqual(row.firstTokenAt!.getTime());
    // The prompt carried the whole story with the target marked.
    const sent = JSON.stringify(fake.requests[0]!.body);
    expect(sent).toContain("Mara climbed the lighthouse stairs.");
    expect(sent).toContain("Tobin said nothing.");
    expect(sent).toContain("PAGE TO WRITE");
    // Partial text grew word by word.
    expect(partials.length).toBeGreaterThan(3);
    for (let i = 1; i < partials.length; i++) expect(partials[i]!.startsWith(partials[i - 1]!)).toBe(true);

    // Undo brings the text from before the job back, as a new revision.
    const undone = await undoPageJob(author, { jobId: job.id });
    expect(undone).toMatchObject({ content: "", version: 3 });
  });

  it("waits out a 429 (Retry-After) and then succeeds", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Some text to revise."]);
    fake.script([
      { kind: "status", status: 429, headers: { "retry-after": "0" } },
      { kind: "stream", words: words("Revised text.") },
    ]);
    const job = await requestPageText(author, { pageId: pages[0]!.id, instruction: "darker" });
    expect(job.jobType).toBe("page_text.revise");
    const done = await settled(author, job.id);
    expect(done.status).toBe("succeeded");
    expect((await jobRow(job.id)).attempts).toBe(2);
    expect((await pageRow(pages[0]!.id))!.content).toBe("Revised text.");
    expect(JSON.stringify(fake.requests[1]!.body)).toContain("darker");
  });

  it("memoizes the prompt's hash, not the prompt: a retry sends the prompt stored in the job, cleared at the end", async () => {
    const author = await makeActor();
    const long = "Mara climbed the lighthouse stairs, counting each one aloud. ".repeat(400);
    const { pages } = await makeStory(author, [long, ""]);
    fake.script([
      { kind: "status", status: 429, headers: { "retry-after": "0" } },
      { kind: "stream", words: words("The lamp woke.") },
    ]);
    const job = await requestPageText(author, { pageId: pages[1]!.id });
    const done = await settled(author, job.id);
    expect(done.status).toBe("succeeded");
    const row = await jobRow(job.id);
    expect(row.attempts).toBe(2);
    // Both attempts sent the same prompt, the whole story in it.
    expect(fake.requests).toHaveLength(2);
    expect(JSON.stringify(fake.requests[1]!.body)).toBe(JSON.stringify(fake.requests[0]!.body));
    expect(JSON.stringify(fake.requests[0]!.body)).toContain("counting each one aloud");
    // Rendered when it was requested: the run went straight to generate, and no step the engine memoized carries the
    // 24 KB prompt (the engine sends memoized results back on every call of a run).
    const steps = await completedJobRunSteps(t.db(), job.id);
    expect(steps.map((s) => s.name)).toEqual(["generate", "finish"]);
    expect(JSON.stringify(steps)).not.toContain("counting each one aloud");
    expect(row.promptHash).toMatch(/^[0-9a-f]{64}$/);
    // The stored prompt lived as long as the job ran (the admin view renders it again from template and payload).
    expect(row.renderedPrompt).toBeNull();
  });

  it("fails after four 500s with GEN_PROVIDER_UNAVAILABLE and leaves the page untouched", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Original words."]);
    fake.script([{ kind: "status", status: 500 }]);
    const job = await requestPageText(author, { pageId: pages[0]!.id });
    const done = await settled(author, job.id);
    expect(done).toMatchObject({ status: "failed", errorCode: "GEN_PROVIDER_UNAVAILABLE" });
    expect(done.errorMessage).toMatch(/unchanged/);
    expect(fake.requests).toHaveLength(4);
    const row = await jobRow(job.id);
    expect(row.attempts).toBe(4);
    expect(row.errorMessage).toContain("500");
    // A failed job keeps no stored prompt either (every attempt sent it).
    expect(row.renderedPrompt).toBeNull();
    expect(await pageRow(pages[0]!.id)).toMatchObject({ content: "Original words.", version: 1 });
  });

  it("does not retry a 400 (GEN_CONSTRAINT_FAIL)", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, [""]);
    fake.script([{ kind: "status", status: 400 }]);
    const job = await requestPageText(author, { pageId: pages[0]!.id });
    const done = await settled(author, job.id);
    expect(done).toMatchObject({ status: "failed", errorCode: "GEN_CONSTRAINT_FAIL" });
    expect(fake.requests).toHaveLength(1);
  });

  it("fails an answer longer than a page can hold with GEN_CONSTRAINT_FAIL, once, and leaves the page as it was", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Keep this page."]);
    // 101 chunks of 1,000 characters: over the 100,000-character page limit.
    fake.script([{ kind: "stream", words: Array.from({ length: 101 }, () => `${"w".repeat(999)} `) }]);
    const job = await requestPageText(author, { pageId: pages[0]!.id, instruction: "Much longer" });
    const done = await settled(author, job.id);
    expect(done).toMatchObject({
      status: "failed",
      errorCode: "GEN_CONSTRAINT_FAIL",
      errorMessage: "The request did not fit what the AI model accepts. Your text is unchanged.",
      suggestionId: null,
    });
    expect(fake.requests).toHaveLength(1);
    const [row] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, job.id));
    expect(row!.errorMessage).toBe("the answer has 101000 characters; a page holds at most 100000");
    expect(await pageRow(pages[0]!.id)).toMatchObject({ content: "Keep this page.", version: 1 });
  });

  it("fails at once, without retries, when the job's template version is missing from this deployment", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Some text."]);
    fake.script([{ kind: "stream", words: words("Never asked for.") }]);
    const [row] = await t
      .db()
      .insert(aiJobs)
      .values({
        jobType: "page_text.revise",
        targetType: "page",
        targetId: pages[0]!.id,
        requestedBy: author.id,
        templateKey: "page_revise",
        templateVersion: 999,
        provider: "openai-compatible",
        model: "gpt-4o-mini",
        promptPayload: {},
        baseVersion: 1,
      })
      .returning();
    await enqueueJob(row!);
    const done = await settled(author, row!.id);
    expect(done).toMatchObject({ status: "failed", errorCode: "GEN_PROVIDER_UNAVAILABLE" });
    expect((await jobRow(row!.id)).errorMessage).toContain("version 999");
    expect(fake.requests).toHaveLength(0);
    // The render step records the failure in the ledger itself, before the engine has ended the run.
    const run = await waitFor(
      async () => {
        const [found] = await t
          .db()
          .select()
          .from(inngestRuns)
          .where(sql`${inngestRuns.event}->'data'->>'jobId' = ${row!.id}`);
        return found && found.status !== "queued" && found.status !== "running" ? found : null;
      },
      { what: "the run to end" },
    );
    // The engine's calls for the run: the render step failed for good once; nothing was retried.
    const calls = await t
      .db()
      .select({ outcome: inngestAttempts.outcome })
      .from(inngestAttempts)
      .where(eq(inngestAttempts.runId, run!.id));
    expect(calls.map((c) => c.outcome).sort()).toEqual(["failed", "step-failed"]);
  });

  it("turns an empty answer into GEN_EMPTY_OUTPUT", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, [""]);
    fake.script([{ kind: "empty" }]);
    const job = await requestPageText(author, { pageId: pages[0]!.id });
    const done = await settled(author, job.id);
    expect(done).toMatchObject({ status: "failed", errorCode: "GEN_EMPTY_OUTPUT" });
    expect(await pageRow(pages[0]!.id)).toMatchObject({ content: "", version: 1 });
  });

  it("turns a stalled stream into GEN_TIMEOUT", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Keep me."]);
    fake.script([{ kind: "stall", words: ["Half "] }]);
    const job = await requestPageText(author, { pageId: pages[0]!.id });
    const done = await settled(author, job.id);
    expect(done).toMatchObject({ status: "failed", errorCode: "GEN_TIMEOUT" });
    expect(await pageRow(pages[0]!.id)).toMatchObject({ content: "Keep me.", version: 1 });
  });

  it("cancels mid-stream: the job ends cancelled and the page is untouched", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Before the cancel."]);
    fake.script([{ kind: "stream", words: Array.from({ length: 200 }, (_v, i) => `w${i} `), delayMs: 20 }]);
    const job = await requestPageText(author, { pageId: pages[0]!.id });
    await waitFor(async () => (await jobRow(job.id)).partialText, { what: "partial text" });
    const cancelled = await cancelPageJob(author, { jobId: job.id });
    expect(cancelled.status).toBe("cancelled");
    const done = await settled(author, job.id);
    expect(done).toMatchObject({ status: "cancelled", errorCode: "GEN_CANCELLED" });
    expect(await pageRow(pages[0]!.id)).toMatchObject({ content: "Before the cancel.", version: 1 });
    expect((await jobRow(job.id)).status).toBe("cancelled");
  });

  it("joins duplicate requests into one job", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, [""]);
    fake.script([{ kind: "stream", words: words("Only once."), delayMs: 20 }]);
    const jobs = await Promise.all([1, 2, 3].map(() => requestPageText(author, { pageId: pages[0]!.id })));
    expect(new Set(jobs.map((j) => j.id)).size).toBe(1);
    await settled(author, jobs[0]!.id);
    const rows = await t.db().select().from(aiJobs).where(eq(aiJobs.targetId, pages[0]!.id));
    expect(rows).toHaveLength(1);
    expect(fake.requests).toHaveLength(1);
  });

  it("refuses a save while the page's own Generate writes it; saved anyway, the output waits as a suggestion", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["First draft."]);
    fake.script([{ kind: "stream", words: Array.from({ length: 30 }, (_v, i) => `s${i} `), delayMs: 20 }]);
    const job = await requestPageText(author, { pageId: pages[0]!.id });
    await waitFor(async () => (await jobRow(job.id)).partialText, { what: "partial text" });
    // A tab that does not see the job: refused in words, with the job to wait for, and nothing written.
    const refused = await expectAppError(
      savePage(author, { pageId: pages[0]!.id, content: "The author's own edit.", baseVersion: 1 }),
      "PAGE_AI_WRITING",
    );
    expect(refused.details).toMatchObject({ activeJobId: job.id });
    expect(await pageRow(pages[0]!.id)).toMatchObject({ content: "First draft.", version: 1 });
    // The author's explicit "keep my text".
    await savePage(author, {
      pageId: pages[0]!.id,
      content: "The author's own edit.",
      baseVersion: 1,
      saveWhileAiWrites: true,
    });
    const done = await settled(author, job.id);
    expect(done).toMatchObject({ status: "succeeded", resolution: "suggested" });
    expect(await pageRow(pages[0]!.id)).toMatchObject({ content: "The author's own edit.", version: 2 });
    const [suggestion] = await t.db().select().from(pageSuggestions).where(eq(pageSuggestions.jobId, job.id));
    expect(suggestion).toMatchObject({ status: "open", baseVersion: 1 });
    expect(done.suggestionId).toBe(suggestion!.id);
    const applied = await applySuggestion(author, { suggestionId: suggestion!.id, baseVersion: 2 });
    expect(applied.content).toBe(suggestion!.content);
    expect(applied.version).toBe(3);
  });

  it("refuses other authors (NOT_FOUND) and anonymous visitors", async () => {
    const owner = await makeActor();
    const other = await makeActor();
    const { pages } = await makeStory(owner, ["Mine."]);
    await expectAppError(requestPageText(other, { pageId: pages[0]!.id }), "NOT_FOUND");
    await expectAppError(requestPageText(null, { pageId: pages[0]!.id }), "UNAUTHENTICATED");
    fake.script([{ kind: "stream", words: words("Done.") }]);
    const job = await requestPageText(owner, { pageId: pages[0]!.id });
    await expectAppError(getPageJob(other, { jobId: job.id }), "NOT_FOUND");
    await expectAppError(cancelPageJob(other, { jobId: job.id }), "NOT_FOUND");
    await settled(owner, job.id);
    const admin = await makeActor("admin");
    expect((await getPageJob(admin, { jobId: job.id })).id).toBe(job.id);
    expect(
      await t
        .db()
        .select()
        .from(aiJobs)
        .where(and(eq(aiJobs.targetId, pages[0]!.id))),
    ).toHaveLength(1);
  });
});
