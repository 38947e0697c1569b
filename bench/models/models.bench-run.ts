/**
 * bench:models — the generation cache and model fallback, timed end to end through the real runner in the embedded
 * engine (tests/engine/harness.ts), on a fresh migrated database.
 *
 * - Cache: a repeated identical request's time from request to a finished page (succeeded and landed) when the cache
 *   answers it, against the same request asked as a new take (a model call), alternated in the same run.
 * - Fallback: with the first model's provider failing every call (HTTP 503 at once), the time until the second
 *   model's text lands, against the same request sent to the second model directly.
 *
 * The model is the fake of ../shared/docs/DECISIONS.md ("Durable path performance"): first token after 200 ms, then
 * one token per 10 ms, 60 tokens. Retries wait AI_RETRY_BASE_MS (20 ms here, as in the tests; the default 2,000 ms
 * adds 2 + 4 + 8 s of waiting to a fallback, which this run reports as arithmetic, not as a measurement).
 *
 * Usage: npm run bench:models (DATABASE_URL optional; BENCH_ROUNDS, default 10). Results: bench/results/models.md.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { APICallError, type LanguageModelV4, type LanguageModelV4StreamPart } from "@ai-sdk/provider";
import { afterAll, beforeAll, it, vi } from "vitest";
import { createRunAiJob } from "@/lib/ai/functions/run-ai-job";
import { createJobTypeRegistry } from "@/lib/ai/job-types";
import { modelForJob } from "@/lib/ai/models";
import { type Actor, getPageJob, requestPageText, undoPageJob, updateStory } from "@/lib/stories";
import { applyPageJobResultFunction } from "@/lib/stories/functions/apply-page-job-result";
import { pageTextRevise, pageTextWrite } from "@/lib/stories/job-types";
// The tests' engine fixture (its vitest hooks start and stop the engine); not a React hook despite its name.
import { useEngine as engineFixture, waitFor } from "../../tests/engine/harness";
import { makeActor, makeStory } from "../../tests/helpers/fixtures";
import { writeModelsFile } from "../../tests/models/helpers";
import { loadavg } from "../shared/load";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** First token after 200 ms, then one per 10 ms, 60 tokens. */
function fakeModel(): LanguageModelV4 {
  return {
    specificationVersion: "v4",
    provider: "bench",
    modelId: "bench",
    supportedUrls: {},
    async doGenerate() {
      throw new Error("streaming only");
    },
    async doStream() {
      let sent = 0;
      const stream = new ReadableStream<LanguageModelV4StreamPart>({
        async pull(controller) {
          if (sent === 0) {
            controller.enqueue({ type: "stream-start", warnings: [] });
            controller.enqueue({ type: "text-start", id: "0" });
            await sleep(200);
          } else await sleep(10);
          if (sent < 60) {
            controller.enqueue({ type: "text-delta", id: "0", delta: `word${sent} ` });
            sent++;
            return;
          }
          controller.enqueue({ type: "text-end", id: "0" });
          controller.enqueue({
            type: "finish",
            finishReason: { unified: "stop", raw: "stop" },
            usage: {
              inputTokens: { total: 100, noCache: undefined, cacheRead: 0, cacheWrite: 0 },
              outputTokens: { total: 60, text: 60, reasoning: 0 },
            },
          });
          controller.close();
        },
      });
      return { stream };
    },
  };
}

function downModel(): LanguageModelV4 {
  return {
    ...fakeModel(),
    async doStream() {
      throw new APICallError({
        message: "Service Unavailable",
        url: "bench://down",
        requestBodyValues: {},
        statusCode: 503,
        isRetryable: true,
      });
    },
  };
}

const registryFile = writeModelsFile({
  models: [
    { id: "primary", provider: "offline", contextWindow: 40_000, fallbacks: ["secondary"] },
    { id: "secondary", provider: "offline", contextWindow: 40_000 },
  ],
});

const engine = engineFixture(() => [
  createRunAiJob({
    model: (job) => ({
      ...modelForJob(job),
      model: job.model === "primary" && process.env.BENCH_PRIMARY_DOWN === "1" ? downModel() : fakeModel(),
    }),
    jobTypes: createJobTypeRegistry([pageTextWrite, pageTextRevise]),
    flushIntervalMs: 200,
  }),
  applyPageJobResultFunction,
]);

async function landed(actor: Actor, jobId: string) {
  return waitFor(
    async () => {
      const job = await getPageJob(actor, { jobId });
      if (job.status === "failed") throw new Error(`job failed: ${job.errorCode}`);
      return job.status === "succeeded" && job.resolution ? job : null;
    },
    { timeoutMs: 120_000, intervalMs: 5, what: `job ${jobId}` },
  );
}

/** Request → finished page, in ms; undoes the result so the next request is identical. */
async function timed(actor: Actor, pageId: string, fresh: boolean) {
  const start = performance.now();
  const job = await landed(actor, (await requestPageText(actor, { pageId, instruction: "a storm", fresh })).id);
  const ms = performance.now() - start;
  await undoPageJob(actor, { jobId: job.id });
  return { ms, reused: job.reused, model: job.model };
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
  return { median: at(0.5), p95: at(0.95), n: s.length };
};
const f = (ms: number) => `${Math.round(ms)} ms`;

const loadStart = loadavg();
const lines: string[] = [];

beforeAll(() => {
  vi.stubEnv("AI_MODELS_FILE", registryFile);
});

afterAll(() => {
  const engineLogLines = engine.logs.length;
  const cpu = os.cpus()[0]?.model ?? "unknown";
  const out = [
    "# bench:models — generation cache and model fallback",
    "",
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${os.cpus().length} cores (nproc), ${cpu}; ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    `- Load (1/5/15 min) at start: ${loadStart}; at end: ${loadavg()}`,
    `- Database: ${process.env.DATABASE_URL ? "PostgreSQL (DATABASE_URL, a fresh clone)" : "PGlite in memory"}`,
    `- Command: \`npm run bench:models\` (BENCH_ROUNDS=${ROUNDS}); ${engineLogLines} engine log lines`,
    "- Fake model: first token after 200 ms, then one per 10 ms, 60 tokens; the real runner (run-ai-job) in the",
    "  embedded engine, the page job landed by its job type. Time = request to a succeeded, landed job (the page",
    "  written), polled every 5 ms.",
    "",
    ...lines,
  ];
  fs.writeFileSync(path.join(import.meta.dirname, "../results/models.md"), `${out.join("\n")}\n`);
  console.log(out.join("\n"));
});

it("cache: a hit against a model call, alternated", async () => {
  const author = await makeActor();
  const { story, pages } = await makeStory(author, ["Mara climbed the stairs.", ""]);
  const pageId = pages[1]!.id;
  await updateStory(author, { storyId: story.id, modelId: "secondary" });
  // Warm-up: the first call compiles and fills the cache.
  await timed(author, pageId, true);
  await timed(author, pageId, false);
  const hits: number[] = [];
  const calls: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const call = await timed(author, pageId, true);
    if (call.reused) throw new Error("a fresh request was reused");
    calls.push(call.ms);
    const hit = await timed(author, pageId, false);
    if (!hit.reused) throw new Error("an identical request missed the cache");
    hits.push(hit.ms);
  }
  const h = stats(hits);
  const c = stats(calls);
  lines.push(
    "## Cache: repeated request, hit vs model call (same run, alternated)",
    "",
    "| | n | median | p95 |",
    "|---|---|---|---|",
    `| cache hit (reused, no model call) | ${h.n} | ${f(h.median)} | ${f(h.p95)} |`,
    `| model call (New take) | ${c.n} | ${f(c.median)} | ${f(c.p95)} |`,
    "",
    `Ratio of medians, model call / hit: **${(c.median / h.median).toFixed(1)}×** (the hit lands inside the render`,
    "step: one engine step instead of three, and no model call).",
    "",
  );
});

it("fallback: first provider failing every call, time until the second model's text lands", async () => {
  const author = await makeActor();
  const { story, pages } = await makeStory(author, ["Mara climbed the stairs.", ""]);
  const pageId = pages[1]!.id;
  const direct: number[] = [];
  const fallback: number[] = [];
  const rounds = Math.max(3, Math.ceil(ROUNDS / 2));
  for (let i = 0; i < rounds; i++) {
    vi.stubEnv("BENCH_PRIMARY_DOWN", "0");
    await updateStory(author, { storyId: story.id, modelId: "secondary" });
    direct.push((await timed(author, pageId, true)).ms);
    vi.stubEnv("BENCH_PRIMARY_DOWN", "1");
    await updateStory(author, { storyId: story.id, modelId: "primary" });
    const r = await timed(author, pageId, true);
    if (r.model !== "secondary") throw new Error(`expected the secondary model to write, got ${r.model}`);
    fallback.push(r.ms);
  }
  const d = stats(direct);
  const fb = stats(fallback);
  lines.push(
    "## Fallback: primary down on every call (503), secondary writes",
    "",
    "| | n | median | p95 |",
    "|---|---|---|---|",
    `| secondary directly (no failure) | ${d.n} | ${f(d.median)} | ${f(d.p95)} |`,
    `| primary down → 4 attempts → secondary | ${fb.n} | ${f(fb.median)} | ${f(fb.p95)} |`,
    "",
    `Ratio of medians, fallback / direct: **${(fb.median / d.median).toFixed(2)}×**; the fallback's extra`,
    `${f(fb.median - d.median)} is four failed attempts, their retry waits (AI_RETRY_BASE_MS=${process.env.AI_RETRY_BASE_MS}:`,
    "20 + 40 + 80 ms) and the engine round trips of the extra step. With the default AI_RETRY_BASE_MS=2000 the",
    "waits alone add 2 + 4 + 8 = 14 s before the second model starts.",
    "",
  );
});
