import crypto from "node:crypto";
import type { LanguageModelV4 } from "@ai-sdk/provider";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { createRunAiJob } from "@/lib/ai/functions/run-ai-job";
import { createJobTypeRegistry } from "@/lib/ai/job-types";
import { createOrJoinJob, stalePendingJobs } from "@/lib/ai/jobs/ledger";
import { buildMetricsRegistry } from "@/lib/ai/jobs/metrics";
import { startRenderedAttempt } from "@/lib/ai/jobs/prerender";
import { usageReport } from "@/lib/ai/jobs/usage-report";
import { modelForJob } from "@/lib/ai/models";
import { createOfflineModel } from "@/lib/ai/offline-model";
import { inngestEvents } from "@/lib/inngest/embedded/testing";
import { type Actor, getPageJob, requestPageText } from "@/lib/stories";
import { applyPageJobResultFunction } from "@/lib/stories/functions/apply-page-job-result";
import { pageTextRevise, pageTextWrite } from "@/lib/stories/job-types";
import { useEngine, waitFor } from "../engine/harness";
import { completedJobRunSteps } from "../helpers/engine-rows";
import { makeActor, makeStory } from "../helpers/fixtures";

// Generate renders its prompt when it is requested (lib/ai/jobs/prerender.ts): the run starts with the model call.

/** The offline model, held before its answer until the test lets it go. */
const gate: { open?: () => void; opened: Promise<void> } = { opened: Promise.resolve() };
function gatedModel(): LanguageModelV4 {
  const inner = createOfflineModel({ msPerWord: 0 });
  return {
    ...inner,
    doStream: async (options) => {
      await gate.opened;
      return inner.doStream(options);
    },
  };
}
function closeGate() {
  gate.opened = new Promise((resolve) => {
    gate.open = resolve;
  });
}

const t = useEngine(() => [
  createRunAiJob({
    model: (job) => ({ ...modelForJob(job), model: gatedModel() }),
    jobTypes: createJobTypeRegistry([pageTextWrite, pageTextRevise]),
    flushIntervalMs: 0,
  }),
  applyPageJobResultFunction,
]);

async function row(jobId: string) {
  const [r] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, jobId));
  return r!;
}

async function succeeded(actor: Actor, jobId: string) {
  return waitFor(
    async () => {
      const job = await getPageJob(actor, { jobId });
      return job.status === "succeeded" && job.resolution ? job : null;
    },
    { timeoutMs: 30_000, what: `job ${jobId} to succeed` },
  );
}

describe("a Generate rendered when requested", () => {
  it("is recorded with its prompt, hash and cache key, and its run is generate then finish", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mara climbed the lighthouse stairs.", ""]);
    closeGate();
    const job = await requestPageText(author, { pageId: pages[1]!.id });
    try {
      const recorded = await row(job.id);
      expect(recorded.renderedPrompt).toContain("Mara climbed the lighthouse stairs.");
      expect(recorded.promptHash).toBe(crypto.createHash("sha256").update(recorded.renderedPrompt!).digest("hex"));
      expect(recorded.cacheKey).toMatch(/^[0-9a-f]{64}$/);
      const [event] = await t
        .db()
        .select({ data: inngestEvents.data })
        .from(inngestEvents)
        .where(sql`${inngestEvents.data}->>'jobId' = ${job.id}`);
      expect(event!.data).toMatchObject({ jobId: job.id, prerendered: true });
    } finally {
      gate.open!();
    }
    expect(await succeeded(author, job.id)).toMatchObject({ status: "succeeded", resolution: "applied" });
    const steps = await completedJobRunSteps(t.db(), job.id);
    expect(steps.map((s) => s.name)).toEqual(["generate", "finish"]);
    const done = await row(job.id);
    expect(done).toMatchObject({ attempts: 1, reusedFrom: null, renderedPrompt: null });
    expect(done.startedAt).not.toBeNull();
  });
});

describe("startRenderedAttempt", () => {
  /** A job recorded with its prompt and never sent: nothing runs it but the test. */
  async function pendingJob(author: Actor, fields: { cacheKey: string; fresh?: boolean; storyId?: string }) {
    const storyId = fields.storyId ?? (await makeStory(author, ["Words."])).story.id;
    const { job } = await createOrJoinJob(t.db(), {
      jobType: "page_text.revise",
      targetType: "page",
      targetId: crypto.randomUUID(),
      scopeType: "story",
      scopeId: storyId,
      requestedBy: author.id,
      templateKey: "page_revise",
      templateVersion: 1,
      provider: "offline",
      model: "offline-writer",
      instruction: "",
      promptPayload: {},
      contextLeftOut: [],
      baseVersion: 1,
      renderedPrompt: "the prompt",
      promptHash: "h",
      cacheKey: fields.cacheKey,
      fresh: fields.fresh ?? false,
    });
    return job;
  }

  it("starts the job and counts each attempt; a later attempt looks nothing up", async () => {
    const author = await makeActor();
    const job = await pendingJob(author, { cacheKey: crypto.randomUUID() });
    const first = await startRenderedAttempt(t.db(), job.id, true);
    expect(first).toMatchObject({ renderedPrompt: "the prompt", reusedText: null });
    expect(await row(job.id)).toMatchObject({ status: "running", attempts: 1, reusedFrom: null });
    const again = await startRenderedAttempt(t.db(), job.id, true);
    expect(again).toMatchObject({ reusedText: null });
    expect(await row(job.id)).toMatchObject({ status: "running", attempts: 2 });
  });

  it("on its first start takes the newest reusable result of its key, story and requester, counting no attempt", async () => {
    const author = await makeActor();
    const cacheKey = crypto.randomUUID();
    const earlier = await pendingJob(author, { cacheKey });
    const storyId = earlier.scopeId!;
    await t
      .db()
      .update(aiJobs)
      .set({ status: "succeeded", outputText: "The earlier text.", completedAt: new Date() })
      .where(eq(aiJobs.id, earlier.id));
    const same = await pendingJob(author, { cacheKey, storyId });
    const started = await startRenderedAttempt(t.db(), same.id, true);
    expect(started?.reusedText).toBe("The earlier text.");
    expect(await row(same.id)).toMatchObject({ status: "running", attempts: 0, reusedFrom: earlier.id });
    // Not a job asked fresh, nor one whose runner does not look, nor another requester's.
    const fresh = await pendingJob(author, { cacheKey, storyId, fresh: true });
    expect((await startRenderedAttempt(t.db(), fresh.id, true))?.reusedText).toBeNull();
    expect(await row(fresh.id)).toMatchObject({ attempts: 1, reusedFrom: null });
    const notLooked = await pendingJob(author, { cacheKey, storyId });
    expect((await startRenderedAttempt(t.db(), notLooked.id, false))?.reusedText).toBeNull();
    expect(await row(notLooked.id)).toMatchObject({ attempts: 1, reusedFrom: null });
    const stranger = await pendingJob(await makeActor(), { cacheKey, storyId });
    expect((await startRenderedAttempt(t.db(), stranger.id, true))?.reusedText).toBeNull();
  });

  it("is what the sweeper re-sends a pending Generate as: prerendered, its prompt not read", async () => {
    const author = await makeActor();
    const job = await pendingJob(author, { cacheKey: crypto.randomUUID() });
    const stale = (await stalePendingJobs(t.db(), -60_000, 10_000)).find((j) => j.id === job.id);
    expect(stale).toEqual({
      id: job.id,
      jobType: "page_text.revise",
      targetType: "page",
      targetId: job.targetId,
      parentJobId: null,
      prerendered: true,
    });
  });

  it("is counted as a cache lookup (metric and usage report) once it started, not while it waits", async () => {
    const lookups = async () => {
      const metrics = await buildMetricsRegistry(t.db()).metrics();
      const miss = Number(/storysprout_ai_cache_lookups_total\{outcome="miss"\} (\d+)/.exec(metrics)![1]);
      const report = await usageReport(t.db(), {
        from: new Date(Date.now() - 86_400_000),
        to: new Date(Date.now() + 60_000),
      });
      return { miss, reportMisses: report.totals.cacheMisses };
    };
    const author = await makeActor();
    const before = await lookups();
    const job = await pendingJob(author, { cacheKey: crypto.randomUUID() });
    expect(await lookups()).toEqual(before);
    await startRenderedAttempt(t.db(), job.id, true);
    expect(await lookups()).toEqual({ miss: before.miss + 1, reportMisses: before.reportMisses + 1 });
  });

  it("starts nothing of a job that is no longer active", async () => {
    const author = await makeActor();
    const job = await pendingJob(author, { cacheKey: crypto.randomUUID() });
    await t.db().update(aiJobs).set({ status: "cancelled" }).where(eq(aiJobs.id, job.id));
    expect(await startRenderedAttempt(t.db(), job.id, true)).toBeNull();
    expect(await row(job.id)).toMatchObject({ status: "cancelled", attempts: 0, startedAt: null });
  });
});
