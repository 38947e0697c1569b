import { eq } from "drizzle-orm";
import { MockLanguageModelV4 } from "ai/test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { createRunAiJob } from "@/lib/ai/functions/run-ai-job";
import { GenerationError } from "@/lib/ai/generation-errors";
import { createJobTypeRegistry, defineModelJobType, renderJobPrompt } from "@/lib/ai/job-types";
import { resolveModel, type ModelChoice } from "@/lib/ai/models";
import { applyPageJobResultFunction } from "@/lib/stories/functions/apply-page-job-result";
import { storyJobEventViews } from "@/lib/stories/live/views";
import { getPageJob, requestPageText, type PageJobView } from "@/lib/stories";
import { pageTextRevise, pageTextWrite } from "@/lib/stories/job-types";
import { useEngine, waitFor } from "../engine/harness";
import { makeActor, makeStory, pageRow } from "../helpers/fixtures";

// How a job's failure is recorded: the code a step anticipated (as data, not parsed from a message), and INTERNAL for
// a bug of ours, which must never read as the provider's fault. Runs the real runner in the embedded engine with the
// offline model, and a page-write job type whose steps can be made to misbehave.

const faults = { renderBug: false, modelBug: false, refuseAnswer: false, renderOutages: 0, modelOutages: 0 };

/** A model whose stream breaks the way a bug of ours would (a TypeError), not the way a network does. */
const buggyModel: ModelChoice = {
  ...resolveModel({}),
  model: new MockLanguageModelV4({
    doStream: async () => {
      const settings: { stream?: { format: string } } = {};
      return { stream: new ReadableStream({ start: () => void settings.stream!.format.length }) } as never;
    },
  }),
};

/** A provider that is down (a network failure, retriable) for as many calls as `faults.modelOutages` says. */
const downModel: ModelChoice = {
  ...resolveModel({}),
  model: new MockLanguageModelV4({
    doStream: async () => {
      faults.modelOutages -= 1;
      throw new TypeError("fetch failed");
    },
  }),
};

const pageWriteWithFaults = defineModelJobType({
  type: "page_text.write",
  render: async (job) => {
    if (faults.renderOutages > 0) {
      faults.renderOutages -= 1;
      throw new GenerationError("GEN_PROVIDER_UNAVAILABLE", "template store unreachable", true);
    }
    if (faults.renderBug) {
      const payload: { story?: { title: string } } = {};
      return payload.story!.title;
    }
    return renderJobPrompt(job);
  },
  validate: (text) => {
    if (faults.refuseAnswer)
      throw new GenerationError("GEN_CONSTRAINT_FAIL", `answer of ${text.length} characters refused`, false);
  },
  land: pageTextWrite.land,
});

const t = useEngine(() => [
  createRunAiJob({
    model: () => (faults.modelBug ? buggyModel : faults.modelOutages > 0 ? downModel : resolveModel({})),
    jobTypes: createJobTypeRegistry([pageWriteWithFaults, pageTextRevise]),
    flushIntervalMs: 0,
  }),
  applyPageJobResultFunction,
]);

afterEach(() => {
  vi.unstubAllEnvs();
  Object.assign(faults, { renderBug: false, modelBug: false, refuseAnswer: false, renderOutages: 0, modelOutages: 0 });
});

async function ended(actor: Parameters<typeof getPageJob>[0], jobId: string): Promise<PageJobView> {
  return waitFor(
    async () => {
      const job = await getPageJob(actor, { jobId });
      return job.status === "failed" || (job.status === "succeeded" && job.resolution) ? job : null;
    },
    { timeoutMs: 30_000, what: `job ${jobId} to end` },
  );
}

async function jobRow(jobId: string) {
  const [row] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, jobId));
  return row!;
}

describe("a job's failure is recorded with the code that caused it", () => {
  it("a bug in a step (a TypeError while rendering) ends the job failed with INTERNAL, not as the provider's fault", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mara climbed the stairs.", ""]);
    faults.renderBug = true;
    const job = await requestPageText(author, { pageId: pages[1]!.id });
    const done = await ended(author, job.id);
    expect(done).toMatchObject({
      status: "failed",
      errorCode: "INTERNAL",
      errorMessage: "Something went wrong on our side. Your text is unchanged.",
    });
    const row = await jobRow(job.id);
    expect(row.errorMessage).toContain("TypeError");
    expect(row.attempts).toBe(0);
    expect(await pageRow(pages[1]!.id)).toMatchObject({ content: "", version: 1 });
  });

  it("a bug while generating (not a network error) ends the job failed with INTERNAL after its retries", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Keep these words."]);
    faults.modelBug = true;
    const job = await requestPageText(author, { pageId: pages[0]!.id });
    const done = await ended(author, job.id);
    expect(done).toMatchObject({ status: "failed", errorCode: "INTERNAL" });
    const row = await jobRow(job.id);
    expect(row.errorMessage).toContain("TypeError");
    expect(row.attempts).toBe(4);
    expect(await pageRow(pages[0]!.id)).toMatchObject({ content: "Keep these words.", version: 1 });
  });

  it("a job type's validate refuses an answer with its own code, for good, and the page stays as it was", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mara climbed the stairs.", ""]);
    faults.refuseAnswer = true;
    const job = await requestPageText(author, { pageId: pages[1]!.id });
    const done = await ended(author, job.id);
    expect(done).toMatchObject({ status: "failed", errorCode: "GEN_CONSTRAINT_FAIL" });
    const row = await jobRow(job.id);
    expect(row).toMatchObject({ attempts: 1, outputText: null });
    expect(row.errorMessage).toMatch(/^answer of \d+ characters refused$/);
    expect(await pageRow(pages[1]!.id)).toMatchObject({ content: "", version: 1 });
  });

  it("counts attempts per step: a retried render does not use up generate's retries (the last one still succeeds)", async () => {
    // A failure is recorded as final on a step's last attempt (lib/ai/jobs/job-failure.ts), which relies on the
    // attempt number being the step's own. If it counted the run's failures, generate's last allowed attempt would
    // be taken for one past it and the job would fail here.
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mara climbed the stairs.", ""]);
    faults.renderOutages = 1;
    faults.modelOutages = 3;
    const job = await requestPageText(author, { pageId: pages[1]!.id });
    const done = await ended(author, job.id);
    expect(done).toMatchObject({ status: "succeeded", resolution: "applied" });
    expect(await jobRow(job.id)).toMatchObject({ attempts: 4, errorCode: null });
    expect(faults).toMatchObject({ renderOutages: 0, modelOutages: 0 });
  });

  it("the job type's own steps are used when nothing goes wrong", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mara climbed the stairs.", ""]);
    const job = await requestPageText(author, { pageId: pages[1]!.id });
    const done = await ended(author, job.id);
    expect(done).toMatchObject({ status: "succeeded", resolution: "applied" });
    expect((await pageRow(pages[1]!.id))!.content).not.toBe("");
  });

  it("a retried attempt says why it failed (in words) and when the next comes, on the job's view and its stream", async () => {
    // The app picks the retry time (AI_RETRY_BASE_MS here, or the provider's Retry-After) and records it with the
    // reason, so the page can say "Attempt 1 of 4 failed — the AI provider was unavailable. Trying again in 2 s."
    vi.stubEnv("AI_RETRY_BASE_MS", "1500");
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mara climbed the stairs.", ""]);
    faults.modelOutages = 1;
    const before = Date.now();
    const job = await requestPageText(author, { pageId: pages[1]!.id });
    const waiting = await waitFor(
      async () => {
        const view = await getPageJob(author, { jobId: job.id });
        return view.attempt?.retryAt ? view : null;
      },
      { what: "the job to wait for its next attempt" },
    );
    expect(waiting.status).toBe("running");
    expect(waiting.attempt).toMatchObject({ number: 1, max: 4, retryReason: "the AI provider was unavailable" });
    expect(Date.parse(waiting.attempt!.retryAt!)).toBeGreaterThan(before);
    // The provider's own words never reach the view.
    expect(JSON.stringify(waiting)).not.toContain("fetch failed");
    // The story's stream carries the same.
    const row = await jobRow(job.id);
    const streamed = await storyJobEventViews.view(row, [row]);
    expect(streamed).toMatchObject({ attempt: { number: 1, max: 4, retryReason: "the AI provider was unavailable" } });

    // The next attempt runs (no wait any more, the reason kept), then the job succeeds and the view drops it.
    const done = await ended(author, job.id);
    expect(done).toMatchObject({ status: "succeeded", attempt: null });
    expect(await jobRow(job.id)).toMatchObject({ attempts: 2, retryCode: "GEN_PROVIDER_UNAVAILABLE", retryAt: null });
  });

  it("a job that fails for good after its retries keeps no wait", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Keep these words."]);
    faults.modelOutages = 4;
    const job = await requestPageText(author, { pageId: pages[0]!.id });
    const done = await ended(author, job.id);
    expect(done).toMatchObject({ status: "failed", errorCode: "GEN_PROVIDER_UNAVAILABLE", attempt: null });
    expect(await jobRow(job.id)).toMatchObject({ attempts: 4, retryAt: null });
  });
});
