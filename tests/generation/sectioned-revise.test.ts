import type { LanguageModelV4CallOptions } from "@ai-sdk/provider";
import { APICallError } from "@ai-sdk/provider";
import { eq } from "drizzle-orm";
import { MockLanguageModelV4 } from "ai/test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { pageRevisions } from "@/db/schema";
import { pageSuggestions } from "@/db/suggestions-schema";
import { createRunAiChildJob } from "@/lib/ai/functions/run-ai-child-job";
import { createRunAiJob } from "@/lib/ai/functions/run-ai-job";
import { settleFanOutParentOnFailure } from "@/lib/ai/functions/settle-fan-out-parent";
import { createJobTypeRegistry } from "@/lib/ai/job-types";
import { subscribeJobUpdates, type JobUpdate } from "@/lib/ai/jobs/live";
import { resolveModel } from "@/lib/ai/models";
import { createOfflineModel } from "@/lib/ai/offline-model";
import { isSectionedPayload, type SectionedPayload } from "@/lib/ai/sections";
import { applyPageJobResultFunction } from "@/lib/stories/functions/apply-page-job-result";
import { reviseStoryPagesFunction } from "@/lib/stories/functions/revise-story-pages";
import { storyJobTypes } from "@/lib/stories/job-types";
import {
  cancelPageJob,
  checkPageTextRequest,
  getAdminJobDetail,
  getBackgroundRevision,
  requestBackgroundRevision,
  getPageJob,
  requestPageText,
  savePage,
  type PageJobView,
} from "@/lib/stories";
import { useEngine, waitFor } from "../engine/harness";
import { expectAppError, makeActor, makeStory, pageRow } from "../helpers/fixtures";

// A page too long for the prompt budget is revised section by section in one job (DECISIONS.md, "Story memory"):
// the real runner in the embedded engine, the offline model behind a wrapper that counts its calls per section and
// can misbehave on a chosen one.

type Author = Awaited<ReturnType<typeof makeActor>>;

const offline = createOfflineModel({ msPerWord: 0 });
const calls: number[] = [];
const faults: {
  /** Before the model answers this call (1-based), run this. */
  before: Map<number, () => Promise<void>>;
  /** This call fails with a permanent error (HTTP 400). */
  permanentOn: number | null;
  /** This call fails once with a network error (retriable). */
  outageOn: number | null;
  /** Milliseconds between streamed words from this call on. */
  slowFrom: number | null;
} = { before: new Map(), permanentOn: null, outageOn: null, slowFrom: null };

const sectionOf = (options: LanguageModelV4CallOptions) => {
  const text = JSON.stringify(options.prompt);
  return Number(/This is section (\d+) of/.exec(text)?.[1] ?? 0);
};

const model = new MockLanguageModelV4({
  doStream: async (options) => {
    calls.push(sectionOf(options));
    const call = calls.length;
    await faults.before.get(call)?.();
    if (faults.permanentOn === call)
      throw new APICallError({
        message: "Bad Request",
        url: "http://model.test/v1",
        requestBodyValues: {},
        statusCode: 400,
        responseBody: "prompt refused",
        isRetryable: false,
      });
    if (faults.outageOn === call) {
      faults.outageOn = null;
      throw new TypeError("fetch failed");
    }
    const slow = faults.slowFrom !== null && call >= faults.slowFrom;
    return (slow ? createOfflineModel({ msPerWord: 5 }) : offline).doStream(options);
  },
});

const runnerOptions = {
  model: () => ({ ...resolveModel({}), model }),
  jobTypes: createJobTypeRegistry(storyJobTypes),
  // Every flush writes the page's text so far to the ledger: per word, a 100,000-character page would write
  // gigabytes. The cancel test streams slowly enough for several flushes per section.
  flushIntervalMs: 20,
};
const t = useEngine(() => [
  createRunAiJob(runnerOptions),
  createRunAiChildJob(runnerOptions),
  applyPageJobResultFunction,
  reviseStoryPagesFunction,
  settleFanOutParentOnFailure,
]);

beforeEach(() => {
  calls.length = 0;
  Object.assign(faults, { before: new Map(), permanentOn: null, outageOn: null, slowFrom: null });
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** A page of numbered paragraphs, exactly `length` characters long (the numbers show the order they come back in). */
function longPage(length: number): string {
  const paragraphs: string[] = [];
  let total = 0;
  for (let i = 1; total < length; i++) {
    const paragraph = `¶${i}. Mara walked down to the harbour before the bell rang, and the fishermen looked up from their nets. She said nothing about the letter in her coat. The tide was turning and the gulls were loud.`;
    paragraphs.push(paragraph);
    total += paragraph.length + 2;
  }
  const text = paragraphs.join("\n\n");
  if (text.length < length) return text;
  const cut = text.slice(0, length - 1).trimEnd();
  return `${cut.padEnd(length - 1, "x")}.`;
}

async function settled(actor: Author, jobId: string): Promise<PageJobView> {
  return waitFor(
    async () => {
      const job = await getPageJob(actor, { jobId });
      const done =
        job.status === "failed" || job.status === "cancelled" || (job.status === "succeeded" && job.resolution);
      return done ? job : null;
    },
    { timeoutMs: 60_000, what: `job ${jobId} to settle` },
  );
}

async function jobRow(jobId: string) {
  const [row] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, jobId));
  return row!;
}

/** The steps of the job's run once it has ended (the job lands inside its finish step, before the run records it). */
async function stepNames(jobId: string): Promise<string[]> {
  const run = await waitFor(
    async () => {
      const runs = await t.engine().query.runsForEvent({ data: { jobId } });
      const found = runs.find((r) => r.run.functionId === "story-sprout-run-ai-job");
      return found && found.run.status !== "queued" && found.run.status !== "running" ? found : null;
    },
    { what: `the run of job ${jobId} to end` },
  );
  return run.steps.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0)).map((s) => s.name);
}

const paragraphNumbers = (text: string) => [...text.matchAll(/¶(\d+)\./g)].map((m) => Number(m[1]));

describe("a page too long for the prompt budget is revised section by section, in one job", () => {
  it("revises a 100,000-character page with the offline model on the default 8,000-token budget: one revision, every section in order", async () => {
    const author = await makeActor();
    const content = longPage(100_000);
    expect(content).toHaveLength(100_000);
    const { pages } = await makeStory(author, ["The harbour was quiet.", content, "Night fell."]);
    const target = pages[1]!;
    expect(resolveModel().inputBudgetTokens).toBe(8000);

    const check = await checkPageTextRequest(author, { pageId: target.id, instruction: "Make it more concise" });
    expect(check.sections).toBeGreaterThan(1);
    expect(check.promptTokens).toBeLessThanOrEqual(8000);

    const updates: JobUpdate[] = [];
    const job = await requestPageText(author, { pageId: target.id, instruction: "Make it more concise" });
    const stop = subscribeJobUpdates(job.id, (u) => updates.push(u));
    expect(job).toMatchObject({ jobType: "page_text.revise", sections: { count: check.sections, current: null } });
    const done = await settled(author, job.id);
    stop();
    expect(done).toMatchObject({ status: "succeeded", resolution: "applied" });

    const row = await jobRow(job.id);
    expect(row.templateKey).toBe("page_revise_section");
    const payload = row.promptPayload as SectionedPayload;
    expect(isSectionedPayload(payload)).toBe(true);
    const n = payload.textSections.length;
    expect(n).toBe(check.sections);
    expect(payload.textSections.map((s) => s.text).join("")).toBe(content);
    // One model call per section, in order, each counted as an attempt; usage summed over them.
    expect(calls).toEqual(Array.from({ length: n }, (_v, i) => i + 1));
    expect(row.attempts).toBe(n);
    expect(row.inputTokens).toBeGreaterThan(content.length / 4);
    expect(row.outputTokens).toBeGreaterThan(0);
    expect(row.promptHash).toMatch(/^[0-9a-f]{64}$/);

    // The page holds the whole revision: every paragraph, in order, each revised (shorter).
    const page = await pageRow(target.id);
    expect(page!.content).toBe(row.outputText);
    expect(page!.version).toBe(2);
    expect(paragraphNumbers(page!.content)).toEqual(paragraphNumbers(content));
    expect(page!.content.split("\n\n")).toHaveLength(content.split("\n\n").length);
    expect(page!.content.length).toBeLessThan(content.length);
    const revisions = await t.db().select().from(pageRevisions).where(eq(pageRevisions.jobId, job.id));
    expect(revisions).toHaveLength(1);

    // It streamed from the top of the page: each update is the start of the final text, section by section.
    const streamed = updates.filter((u) => u.partialText !== undefined);
    expect(streamed.length).toBeGreaterThanOrEqual(n);
    for (const u of streamed) expect(row.outputText!.startsWith(u.partialText!.trimEnd())).toBe(true);
    const seen = streamed.map((u) => u.section!.number);
    expect([...new Set(seen)]).toEqual(Array.from({ length: n }, (_v, i) => i + 1));
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(streamed.every((u) => u.section!.count === n)).toBe(true);

    // The engine ran one step per section in place of generate.
    expect(await stepNames(job.id)).toEqual([
      "render",
      ...Array.from({ length: n }, (_v, i) => `section-${i + 1}`),
      "finish",
    ]);
  }, 120_000);

  it("a page that fits is rendered when requested: two engine steps (generate, finish) and no sections", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mara walked to the harbour. She said nothing."]);
    const job = await requestPageText(author, { pageId: pages[0]!.id });
    expect(job.sections).toBeNull();
    expect(await settled(author, job.id)).toMatchObject({ status: "succeeded", resolution: "applied" });
    expect(await stepNames(job.id)).toEqual(["generate", "finish"]);
    expect((await checkPageTextRequest(author, { pageId: pages[0]!.id })).sections).toBeNull();
  });

  describe("on a small budget", () => {
    beforeEach(() => {
      vi.stubEnv("AI_INPUT_BUDGET_TOKENS", "1500");
    });

    async function sectionedPage(author: Author) {
      const content = longPage(12_000);
      const { pages } = await makeStory(author, [content]);
      return { page: pages[0]!, content };
    }

    it("lands as one suggestion when the page changed meanwhile", async () => {
      const author = await makeActor();
      const { page, content } = await sectionedPage(author);
      faults.before.set(2, async () => {
        // The author's explicit "Save anyway" while the AI writes (a plain save is refused then).
        await savePage(author, {
          pageId: page.id,
          content: `${content}\n\nThe author kept writing.`,
          baseVersion: 1,
          saveWhileAiWrites: true,
        });
      });
      const job = await requestPageText(author, { pageId: page.id });
      const done = await settled(author, job.id);
      expect(done).toMatchObject({ status: "succeeded", resolution: "suggested" });
      const n = (await jobRow(job.id)).promptPayload as SectionedPayload;
      expect(calls).toHaveLength(n.textSections.length);
      const suggestions = await t.db().select().from(pageSuggestions).where(eq(pageSuggestions.jobId, job.id));
      expect(suggestions).toHaveLength(1);
      expect(suggestions[0]).toMatchObject({ content: done.outputText, baseVersion: 1, status: "open" });
      expect(paragraphNumbers(suggestions[0]!.content)).toEqual(paragraphNumbers(content));
      expect(await pageRow(page.id)).toMatchObject({ content: `${content}\n\nThe author kept writing.`, version: 2 });

      // The admin job detail lists the sections and shows every section's prompt, in order.
      const detail = await getAdminJobDetail(await makeActor("admin"), { jobId: job.id });
      const count = n.textSections.length;
      expect(detail.sections).toHaveLength(count);
      expect(detail.sections![0]).toMatchObject({ number: 1, characters: n.textSections[0]!.text.length });
      expect(detail.sections![0]!.opening).toMatch(/^¶1\. Mara walked/);
      expect(detail.renderedPrompt.error).toBeNull();
      expect(detail.renderedPrompt.text).toContain(`===== Section ${count} of ${count} =====`);
      expect(detail.renderedPrompt.text).toContain(`This is section ${count} of ${count} of page 1`);
    });

    it("cancel mid-way stops the remaining sections and nothing lands", async () => {
      const author = await makeActor();
      const { page, content } = await sectionedPage(author);
      let jobId: string | undefined;
      faults.slowFrom = 2;
      faults.before.set(2, async () => {
        const id = await waitFor(async () => jobId, { what: "the job id" });
        await cancelPageJob(author, { jobId: id });
      });
      const job = await requestPageText(author, { pageId: page.id });
      jobId = job.id;
      const payload = (await jobRow(job.id)).promptPayload as SectionedPayload;
      expect(payload.textSections.length).toBeGreaterThan(2);
      expect(await settled(author, job.id)).toMatchObject({ status: "cancelled" });
      // Give a run that would go on (it must not) the time to reach the next section.
      await new Promise((r) => setTimeout(r, 300));
      expect(calls).toEqual([1, 2]);
      const row = await jobRow(job.id);
      expect(row).toMatchObject({ status: "cancelled", outputText: null });
      expect(await pageRow(page.id)).toMatchObject({ content, version: 1 });
      expect(await t.db().select().from(pageRevisions).where(eq(pageRevisions.jobId, job.id))).toHaveLength(0);
      expect(await t.db().select().from(pageSuggestions).where(eq(pageSuggestions.jobId, job.id))).toHaveLength(0);
    });

    it("a section that fails for good fails the job with its code; the page is untouched", async () => {
      const author = await makeActor();
      const { page, content } = await sectionedPage(author);
      faults.permanentOn = 2;
      const job = await requestPageText(author, { pageId: page.id });
      const done = await settled(author, job.id);
      expect(done).toMatchObject({ status: "failed", errorCode: "GEN_CONSTRAINT_FAIL" });
      expect(calls).toEqual([1, 2]);
      expect(await jobRow(job.id)).toMatchObject({ attempts: 2, outputText: null });
      expect(await pageRow(page.id)).toMatchObject({ content, version: 1 });
      expect(await t.db().select().from(pageRevisions).where(eq(pageRevisions.jobId, job.id))).toHaveLength(0);
      expect(await t.db().select().from(pageSuggestions).where(eq(pageSuggestions.jobId, job.id))).toHaveLength(0);
    });

    it("a retried section resumes where it was: the sections before it are not asked for again, none is duplicated", async () => {
      const author = await makeActor();
      const { page, content } = await sectionedPage(author);
      faults.outageOn = 2;
      const job = await requestPageText(author, { pageId: page.id });
      const done = await settled(author, job.id);
      expect(done).toMatchObject({ status: "succeeded", resolution: "applied" });
      const n = ((await jobRow(job.id)).promptPayload as SectionedPayload).textSections.length;
      // Section 2 was called twice (its outage, then its retry); section 1 once: replayed from the engine's memory.
      expect(calls).toEqual([1, 2, ...Array.from({ length: n - 1 }, (_v, i) => i + 2)]);
      expect(await jobRow(job.id)).toMatchObject({ attempts: n + 1 });
      const revised = (await pageRow(page.id))!.content;
      expect(paragraphNumbers(revised)).toEqual(paragraphNumbers(content));
    });

    it("a background revision revises a page too long for one prompt in sections too: one suggestion for it", async () => {
      const author = await makeActor();
      const content = longPage(12_000);
      const { story, pages } = await makeStory(author, ["Mara walked home. She said nothing.", content]);
      const { revision } = await requestBackgroundRevision(author, {
        storyId: story.id,
        pageIds: pages.map((p) => p.id),
        instruction: "Make it more concise",
      });
      const done = await waitFor(
        async () => {
          const view = (await getBackgroundRevision(author, { storyId: story.id, jobId: revision.id }))!;
          return ["succeeded", "failed", "cancelled"].includes(view.status) ? view : null;
        },
        { timeoutMs: 60_000, what: "the background revision to end" },
      );
      expect(done).toMatchObject({ status: "succeeded", succeeded: 2, openSuggestions: 2 });
      const [child] = await t.db().select().from(aiJobs).where(eq(aiJobs.targetId, pages[1]!.id));
      expect(child).toMatchObject({ parentJobId: revision.id, templateKey: "page_revise_section" });
      const [suggestion] = await t.db().select().from(pageSuggestions).where(eq(pageSuggestions.jobId, child!.id));
      expect(paragraphNumbers(suggestion!.content)).toEqual(paragraphNumbers(content));
      expect(suggestion!.content.length).toBeLessThan(content.length);
      expect(await pageRow(pages[1]!.id)).toMatchObject({ content, version: 1 });
    });

    it("is refused only when the instruction and one section cannot fit, with what it needs", async () => {
      vi.stubEnv("AI_INPUT_BUDGET_TOKENS", "700");
      const author = await makeActor();
      const { page } = await sectionedPage(author);
      const long = "Rewrite this so that every sentence is tighter and every image sharper. ".repeat(7).slice(0, 500);
      // One after the other: both started at once, the second would fail unobserved while the first is awaited.
      for (const attempt of [
        () => requestPageText(author, { pageId: page.id, instruction: long }),
        () => checkPageTextRequest(author, { pageId: page.id, instruction: long }),
      ]) {
        const error = await expectAppError(attempt(), "LIMIT_EXCEEDED");
        expect(error.details).toMatchObject({ code: "GEN_CONSTRAINT_FAIL", budgetTokens: 700 });
        expect((error.details as { neededTokens: number }).neededTokens).toBeGreaterThan(700);
      }
      const accepted = await requestPageText(author, { pageId: page.id, instruction: "Tighten it" });
      expect(accepted.sections!.count).toBeGreaterThan(1);
      expect(await settled(author, accepted.id)).toMatchObject({ status: "succeeded" });
    });
  });
});
