import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { usageRangeSchema, usageReport } from "@/lib/ai";
import { GET as metricsGet } from "@/app/api/metrics/route";
import { useTestDb } from "../helpers/db";
import { makeActor, randomId } from "../helpers/fixtures";
import { formatUsd } from "@/lib/ui/admin-format";

const t = useTestDb();
const day = (d: number, h = 12) => new Date(Date.UTC(2025, 2, d, h));
let alice: string;
let bob: string;
const storyA = randomId();
const storyB = randomId();

/**
 * Day 1: four jobs (3 succeeded at 1 s, 2 s, 3 s; 1 failed GEN_TIMEOUT at 10 s); day 3: two jobs (1 succeeded at
 * 4 s, 1 cancelled); one job outside the range (day 9). Day 2 has none.
 */
beforeAll(async () => {
  alice = (await makeActor()).id;
  bob = (await makeActor()).id;
  const job = (
    d: Date,
    status: "succeeded" | "failed" | "cancelled",
    seconds: number,
    extra: Partial<typeof aiJobs.$inferInsert> = {},
  ) => ({
    jobType: "page_text.write" as const,
    status,
    targetType: "page",
    targetId: randomId(),
    scopeType: "story",
    scopeId: storyA,
    requestedBy: alice,
    templateKey: "page_write",
    templateVersion: 1,
    provider: "openai",
    model: "gpt-4o-mini",
    promptPayload: {},
    outputText: status === "succeeded" ? "x" : null,
    errorCode: status === "failed" ? "GEN_TIMEOUT" : status === "cancelled" ? "GEN_CANCELLED" : null,
    createdAt: d,
    completedAt: new Date(d.getTime() + seconds * 1000),
    ...extra,
  });
  await t
    .db()
    .insert(aiJobs)
    .values([
      job(day(1), "succeeded", 1, { inputTokens: 100, outputTokens: 10, costUsd: "0.010000" }),
      job(day(1), "succeeded", 2, { inputTokens: 200, outputTokens: 20, costUsd: "0.020000" }),
      job(day(1), "succeeded", 3, {
        inputTokens: 300,
        outputTokens: 30,
        costUsd: "0.030000",
        model: "gpt-4.1",
        requestedBy: bob,
      }),
      job(day(1), "failed", 10),
      job(day(3), "succeeded", 4, {
        inputTokens: 50,
        outputTokens: 5,
        costUsd: "0.005000",
        scopeId: storyB,
        requestedBy: bob,
      }),
      job(day(3), "cancelled", 0.5),
      job(day(9), "failed", 1),
    ]);
});

describe("usage aggregates", () => {
  it("totals, success rate and latency percentiles over the range", async () => {
    const report = await usageReport(t.db(), usageRangeSchema.parse({ from: "2025-03-01", to: "2025-03-04" }));
    expect(report.totals).toMatchObject({
      jobs: 6,
      succeeded: 4,
      failed: 1,
      cancelled: 1,
      inputTokens: 650,
      outputTokens: 65,
    });
    expect(report.totals.successRate).toBeCloseTo(4 / 5);
    expect(report.totals.costUsd).toBeCloseTo(0.065);
    // Latencies 0.5, 1, 2, 3, 4, 10 s: percentile_cont interpolates.
    expect(report.totals.p50Ms).toBeCloseTo(2500);
    expect(report.totals.p95Ms).toBeCloseTo(8500);
    expect(report.totals.p99Ms).toBeCloseTo(9700);
  });

  it("one entry per day, zeros included, and breakdowns per model, user, story and error", async () => {
    const report = await usageReport(t.db(), usageRangeSchema.parse({ from: "2025-03-01", to: "2025-03-04" }));
    expect(report.days.map((d) => [d.day, d.jobs, d.failed, d.tokens])).toEqual([
      ["2025-03-01", 4, 1, 660],
      ["2025-03-02", 0, 0, 0],
      ["2025-03-03", 2, 0, 55],
    ]);
    expect(report.days[0]!.p50Ms).toBeCloseTo(2500);
    expect(report.models.map((m) => [m.key, m.jobs])).toEqual([
      ["gpt-4o-mini", 5],
      ["gpt-4.1", 1],
    ]);
    expect(new Map(report.users.map((u) => [u.key, u.jobs]))).toEqual(
      new Map([
        [alice, 4],
        [bob, 2],
      ]),
    );
    expect(new Map(report.scopes.map((s) => [s.key, s.tokens]))).toEqual(
      new Map([
        [storyA, 660],
        [storyB, 55],
      ]),
    );
    expect(report.errors).toEqual([
      { code: "GEN_CANCELLED", count: 1 },
      { code: "GEN_TIMEOUT", count: 1 },
    ]);
  });

  it("a model without a price costs 'unknown' (—), not $0.00", async () => {
    const unpriced = (d: number) => ({
      jobType: "page_text.write" as const,
      status: "succeeded" as const,
      targetType: "page",
      targetId: randomId(),
      requestedBy: alice,
      templateKey: "page_write",
      templateVersion: 1,
      provider: "openai-compatible",
      model: "local-llama",
      promptPayload: {},
      outputText: "x",
      inputTokens: 40,
      outputTokens: 4,
      costUsd: null,
      createdAt: new Date(Date.UTC(2025, 4, d, 12)),
      completedAt: new Date(Date.UTC(2025, 4, d, 12, 0, 1)),
    });
    await t
      .db()
      .insert(aiJobs)
      .values([unpriced(1), unpriced(2)]);
    const report = await usageReport(t.db(), usageRangeSchema.parse({ from: "2025-05-01", to: "2025-05-03" }));
    expect(report.totals.inputTokens).toBe(80);
    expect(report.totals.costUsd).toBeNull();
    expect(formatUsd(report.totals.costUsd)).toBe("—");
    expect(report.models).toMatchObject([{ key: "local-llama", jobs: 2, costUsd: null }]);
    expect(report.users.find((u) => u.key === alice)?.costUsd).toBeNull();
    expect(report.days.map((d) => d.costUsd)).toEqual([null, null]);
    // The metrics below count the jobs of the first fixture only.
    await t.db().delete(aiJobs).where(eq(aiJobs.model, "local-llama"));
  });

  it("defaults to the last 30 days and refuses reversed or overlong ranges", () => {
    const range = usageRangeSchema.parse({});
    expect(range.to.getTime() - range.from.getTime()).toBe(30 * 86_400_000);
    expect(usageRangeSchema.safeParse({ from: "2025-03-04", to: "2025-03-01" }).success).toBe(false);
    expect(usageRangeSchema.safeParse({ from: "2020-01-01", to: "2025-01-01" }).success).toBe(false);
  });
});

describe("/api/metrics", () => {
  const scrape = (authorization?: string) =>
    metricsGet(new Request("http://localhost/api/metrics", { headers: authorization ? { authorization } : {} }));
  afterEach(() => {
    delete process.env.METRICS_TOKEN;
  });

  it("is disabled (404) without METRICS_TOKEN, whatever is sent", async () => {
    expect((await scrape()).status).toBe(404);
    expect((await scrape("Bearer anything")).status).toBe(404);
  });

  it("answers 401 without a token or with a wrong one", async () => {
    process.env.METRICS_TOKEN = "s3cret-token";
    expect((await scrape()).status).toBe(401);
    expect((await scrape("Bearer wrong")).status).toBe(401);
    expect((await scrape("Bearer s3cret-token-longer")).status).toBe(401);
    expect((await scrape("Basic s3cret-token")).status).toBe(401);
    expect((await scrape("Bearer ")).status).toBe(401);
  });

  it("answers Prometheus text with the job, latency, token, cost, queue and retry metrics for the right token", async () => {
    process.env.METRICS_TOKEN = "s3cret-token";
    const response = await scrape("Bearer s3cret-token");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    for (const name of [
      "storysprout_ai_jobs",
      "storysprout_ai_queue_depth",
      "storysprout_ai_job_duration_seconds",
      "storysprout_ai_tokens_total",
      "storysprout_ai_cost_usd_total",
      "storysprout_engine_retries_total",
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toContain('storysprout_ai_jobs{status="failed",job_type="page_text.write"} 2');
    expect(text).toContain('storysprout_ai_job_duration_seconds_bucket{job_type="page_text.write",le="+Inf"} 7');
    expect(text).toContain('storysprout_ai_job_duration_seconds_bucket{job_type="page_text.write",le="2"} 4');
    expect(text).toContain('storysprout_ai_tokens_total{direction="input",model="gpt-4.1"} 300');
    expect(text).toContain("storysprout_ai_queue_depth 0");
  });
});
