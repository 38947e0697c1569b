import { eq } from "drizzle-orm";
import { MockLanguageModelV4 } from "ai/test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { createRunAiJob } from "@/lib/ai/functions/run-ai-job";
import { createJobTypeRegistry } from "@/lib/ai/job-types";
import { type ModelChoice, modelForJob } from "@/lib/ai/models";
import { getPageJob, type PageJobView, requestPageText, updateStory } from "@/lib/stories";
import { applyPageJobResultFunction } from "@/lib/stories/functions/apply-page-job-result";
import { pageTextRevise, pageTextWrite } from "@/lib/stories/job-types";
import { useEngine, waitFor } from "../engine/harness";
import { makeActor, makeStory, pageRow } from "../helpers/fixtures";
import { writeModelsFile } from "./helpers";

// Fallback along a model's chain, in the embedded engine: "flaky" is down for every call; its chain goes on to
// "steady" (the offline model). "narrow" has a far smaller window, so falling back to it assembles the prompt again.

const calls = { flaky: 0 };

const flakyModel = (): ModelChoice => ({
  ...modelForJob({ model: "flaky", jobType: "page_text.write" }),
  model: new MockLanguageModelV4({
    doStream: async () => {
      calls.flaky += 1;
      throw new TypeError("fetch failed");
    },
  }),
});

const registry = {
  models: [
    { id: "flaky", provider: "offline", contextWindow: 40_000, fallbacks: ["steady"] },
    { id: "careful", provider: "offline", contextWindow: 40_000, fallbacks: ["narrow"] },
    { id: "steady", provider: "offline", contextWindow: 40_000 },
    { id: "narrow", provider: "offline", contextWindow: 2000, outputReserveTokens: 500 },
    { id: "alone", provider: "offline", contextWindow: 40_000 },
  ],
};

const t = useEngine(() => [
  createRunAiJob({
    // "careful" and "alone" are down too; every other model is the real offline model.
    model: (job) => (["flaky", "careful", "alone"].includes(job.model) ? flakyModel() : modelForJob(job)),
    jobTypes: createJobTypeRegistry([pageTextWrite, pageTextRevise]),
    flushIntervalMs: 0,
  }),
  applyPageJobResultFunction,
]);

beforeEach(() => {
  vi.stubEnv("AI_MODELS_FILE", writeModelsFile(registry));
  vi.stubEnv("AI_RETRY_BASE_MS", "5");
  calls.flaky = 0;
});
afterEach(() => {
  vi.unstubAllEnvs();
});

async function ended(actor: Parameters<typeof getPageJob>[0], jobId: string): Promise<PageJobView> {
  return waitFor(
    async () => {
      const job = await getPageJob(actor, { jobId });
      return job.status === "failed" || (job.status === "succeeded" && job.resolution) ? job : null;
    },
    { timeoutMs: 60_000, what: `job ${jobId} to end` },
  );
}

async function jobRow(jobId: string) {
  const [row] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, jobId));
  return row!;
}

describe("model fallback", () => {
  it("a provider down on every call: after its retries the next model of the chain writes the text, recorded", async () => {
    const author = await makeActor();
    const { story, pages } = await makeStory(author, ["Mara climbed the stairs.", ""]);
    await updateStory(author, { storyId: story.id, modelId: "flaky" });
    const job = await requestPageText(author, { pageId: pages[1]!.id });
    const done = await ended(author, job.id);
    expect(done).toMatchObject({ status: "succeeded", resolution: "applied" });
    expect(calls.flaky).toBe(4);
    const row = await jobRow(job.id);
    expect(row).toMatchObject({ model: "steady", provider: "offline", errorCode: null });
    expect(row.modelFallbacks).toEqual([
      {
        from: "flaky",
        to: "steady",
        code: "GEN_PROVIDER_UNAVAILABLE",
        reason: expect.stringContaining("GEN_PROVIDER_UNAVAILABLE"),
        at: expect.any(String),
      },
    ]);
    expect((await pageRow(pages[1]!.id))!.content).not.toBe("");
  });

  it("a model with no fallback left fails as before, with its code", async () => {
    const author = await makeActor();
    const { story, pages } = await makeStory(author, ["Keep these words."]);
    await updateStory(author, { storyId: story.id, modelId: "alone" });
    const job = await requestPageText(author, { pageId: pages[0]!.id });
    const done = await ended(author, job.id);
    expect(done).toMatchObject({ status: "failed", errorCode: "GEN_PROVIDER_UNAVAILABLE" });
    expect(await jobRow(job.id)).toMatchObject({ model: "alone", modelFallbacks: [] });
  });

  it("a fallback to a model with a smaller context assembles the prompt again for it", async () => {
    const author = await makeActor();
    const long = (n: number) => `Page ${n}. ${"Mara walked along the quiet river and counted the stones. ".repeat(60)}`;
    const { story, pages } = await makeStory(author, [...Array.from({ length: 8 }, (_, i) => long(i + 1)), ""]);
    await updateStory(author, { storyId: story.id, modelId: "careful" });
    const job = await requestPageText(author, { pageId: pages[8]!.id });
    const before = await jobRow(job.id);
    const budgetOf = (payload: unknown) =>
      (payload as { contextBreakdown: { budgetTokens: number; totalTokens: number } }).contextBreakdown;
    expect(budgetOf(before.promptPayload).budgetTokens).toBe(16_000);
    const done = await ended(author, job.id);
    expect(done).toMatchObject({ status: "succeeded" });
    const row = await jobRow(job.id);
    expect(row.model).toBe("narrow");
    expect(budgetOf(row.promptPayload).budgetTokens).toBe(1500);
    expect(budgetOf(row.promptPayload).totalTokens).toBeLessThanOrEqual(1500);
    expect(budgetOf(before.promptPayload).totalTokens).toBeGreaterThan(1500);
  });
});
