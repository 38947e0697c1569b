import { eq, sql } from "drizzle-orm";
import type { LanguageModelV4 } from "@ai-sdk/provider";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { createRunAiJob } from "@/lib/ai/functions/run-ai-job";
import { createJobTypeRegistry } from "@/lib/ai/job-types";
import { cacheTtlSeconds, generationCacheKey } from "@/lib/ai/jobs/generation-cache";
import { buildMetricsRegistry } from "@/lib/ai/jobs/metrics";
import { usageReport } from "@/lib/ai/jobs/usage-report";
import { modelForJob } from "@/lib/ai/models";
import { createOfflineModel } from "@/lib/ai/offline-model";
import { type Actor, getPageJob, type PageJobView, requestPageText, undoPageJob } from "@/lib/stories";
import { applyPageJobResultFunction } from "@/lib/stories/functions/apply-page-job-result";
import { pageTextRevise, pageTextWrite } from "@/lib/stories/job-types";
import { useEngine, waitFor } from "../engine/harness";
import { makeActor, makeStory, pageRow } from "../helpers/fixtures";

// The generation cache in the embedded engine with the offline model, counting its calls.

const calls = { n: 0 };
function countingModel(): LanguageModelV4 {
  const inner = createOfflineModel({ msPerWord: 0 });
  return {
    ...inner,
    doStream: (options) => {
      calls.n += 1;
      return inner.doStream(options);
    },
  };
}

const t = useEngine(() => [
  createRunAiJob({
    model: (job) => ({ ...modelForJob(job), model: countingModel() }),
    jobTypes: createJobTypeRegistry([pageTextWrite, pageTextRevise]),
    flushIntervalMs: 0,
  }),
  applyPageJobResultFunction,
]);

beforeEach(() => {
  calls.n = 0;
});
afterEach(() => {
  vi.unstubAllEnvs();
});

async function settled(actor: Actor, jobId: string): Promise<PageJobView> {
  return waitFor(
    async () => {
      const job = await getPageJob(actor, { jobId });
      return job.status === "failed" || (job.status === "succeeded" && job.resolution) ? job : null;
    },
    { timeoutMs: 30_000, what: `job ${jobId} to settle` },
  );
}

async function row(jobId: string) {
  const [r] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, jobId));
  return r!;
}

/** Writes the blank page, then undoes it: the page is as before, so the same request is identical. */
async function writeThenUndo(actor: Actor, pageId: string, instruction = "a storm reaches the harbour") {
  const first = await settled(actor, (await requestPageText(actor, { pageId, instruction })).id);
  expect(first).toMatchObject({ status: "succeeded", resolution: "applied", reused: false });
  await undoPageJob(actor, { jobId: first.id });
  expect((await pageRow(pageId))!.content).toBe("");
  return first;
}

describe("generation cache", () => {
  it("an identical request is answered with the earlier text as a new job marked reused: no model call, no cost", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mara climbed the stairs.", ""]);
    const pageId = pages[1]!.id;
    const first = await writeThenUndo(author, pageId);
    expect(calls.n).toBe(1);

    const again = await settled(author, (await requestPageText(author, { pageId, instruction: first.instruction })).id);
    expect(again).toMatchObject({ status: "succeeded", resolution: "applied", reused: true });
    expect(again.id).not.toBe(first.id);
    expect(calls.n).toBe(1);
    expect((await pageRow(pageId))!.content).toBe(first.outputText);
    const r = await row(again.id);
    expect(r).toMatchObject({ reusedFrom: first.id, inputTokens: 0, outputTokens: 0, outputText: first.outputText });
    expect(Number(r.costUsd)).toBe(0);
    expect(r.cacheKey).toBe((await row(first.id)).cacheKey);
  });

  it("a new take (fresh) calls the model again; a different instruction misses", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mara climbed the stairs.", ""]);
    const pageId = pages[1]!.id;
    const first = await writeThenUndo(author, pageId);
    const fresh = await settled(
      author,
      (await requestPageText(author, { pageId, instruction: first.instruction, fresh: true })).id,
    );
    expect(fresh).toMatchObject({ status: "succeeded", reused: false });
    expect(await row(fresh.id)).toMatchObject({ fresh: true, reusedFrom: null });
    expect(calls.n).toBe(2);
    await undoPageJob(author, { jobId: fresh.id });
    const other = await settled(author, (await requestPageText(author, { pageId, instruction: "at dawn" })).id);
    expect(other.reused).toBe(false);
    expect(calls.n).toBe(3);
  });

  it("a result older than the TTL is not reused", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mara climbed the stairs.", ""]);
    const pageId = pages[1]!.id;
    const first = await writeThenUndo(author, pageId);
    vi.stubEnv("AI_CACHE_TTL_SECONDS", "600");
    await t
      .db()
      .update(aiJobs)
      .set({ completedAt: sql`now() - interval '601 seconds'` })
      .where(eq(aiJobs.id, first.id));
    const again = await settled(author, (await requestPageText(author, { pageId, instruction: first.instruction })).id);
    expect(again.reused).toBe(false);
    expect(calls.n).toBe(2);
  });

  it("never shared across stories or users: the same prompt in another story, or asked by an admin, calls the model", async () => {
    const author = await makeActor();
    const admin = await makeActor("admin");
    const a = await makeStory(author, ["Mara climbed the stairs.", ""]);
    const b = await makeStory(author, ["Mara climbed the stairs.", ""]);
    const first = await writeThenUndo(author, a.pages[1]!.id);
    const inB = await settled(
      author,
      (await requestPageText(author, { pageId: b.pages[1]!.id, instruction: first.instruction })).id,
    );
    expect(inB.reused).toBe(false);
    expect((await row(inB.id)).cacheKey).toBe((await row(first.id)).cacheKey);
    const byAdmin = await settled(
      admin,
      (await requestPageText(admin, { pageId: a.pages[1]!.id, instruction: first.instruction })).id,
    );
    expect(byAdmin.reused).toBe(false);
    expect(calls.n).toBe(3);
  });

  it("hits and misses are counted in the metrics and the usage report", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mara climbed the stairs.", ""]);
    const first = await writeThenUndo(author, pages[1]!.id);
    await settled(author, (await requestPageText(author, { pageId: pages[1]!.id, instruction: first.instruction })).id);
    const metrics = await buildMetricsRegistry(t.db()).metrics();
    expect(metrics).toMatch(/storysprout_ai_cache_lookups_total\{outcome="hit"\} [1-9]/);
    expect(metrics).toMatch(/storysprout_ai_cache_lookups_total\{outcome="miss"\} [1-9]/);
    const report = await usageReport(t.db(), {
      from: new Date(Date.now() - 86_400_000),
      to: new Date(Date.now() + 60_000),
    });
    expect(report.totals.cacheHits).toBeGreaterThanOrEqual(1);
    expect(report.totals.cacheMisses).toBeGreaterThanOrEqual(1);
  });
});

describe("cache key and TTL setting", () => {
  const input = {
    jobType: "page_text.write",
    templateKey: "page_write",
    templateVersion: 1,
    prompt: "Write page 2.",
    provider: "offline",
    model: "offline",
    sampling: { maxOutputTokens: null, temperature: 0.7 },
  };

  it("is canonical: the same request in another key order has the same key; any input changes it", () => {
    const { sampling: _sampling, ...rest } = input;
    const reordered = { sampling: { temperature: 0.7, maxOutputTokens: null }, ...rest };
    expect(generationCacheKey(reordered)).toBe(generationCacheKey(input));
    for (const change of [
      { templateVersion: 2 },
      { prompt: "Write page 3." },
      { model: "gpt-4o" },
      { sampling: { maxOutputTokens: 100, temperature: 0.7 } },
    ])
      expect(generationCacheKey({ ...input, ...change })).not.toBe(generationCacheKey(input));
  });

  it("AI_CACHE_TTL_SECONDS: 0 (off) to a week; anything else is refused naming the variable", () => {
    expect(cacheTtlSeconds({})).toBe(3600);
    expect(cacheTtlSeconds({ AI_CACHE_TTL_SECONDS: "0" })).toBe(0);
    expect(cacheTtlSeconds({ AI_CACHE_TTL_SECONDS: "604800" })).toBe(604_800);
    for (const bad of ["-1", "604801", "1.5", "soon"])
      expect(() => cacheTtlSeconds({ AI_CACHE_TTL_SECONDS: bad })).toThrow(/AI_CACHE_TTL_SECONDS must be/);
  });
});
