/**
 * Takes vs one Generate (`npm run bench:takes`): the time to the first token of each take and to all takes done, for
 * a set of BENCH_TAKES [3] takes against one Generate, through the durable path (the app's own Inngest functions in
 * the embedded engine, in-process calls as under `next start`, the ledger in a fresh database) with a streaming fake
 * model of fixed speed: first token after 200 ms, then one token every 10 ms, 60 tokens (the speed of bench/ttft's
 * fake model, here as an in-process LanguageModelV4 so nothing but the path is measured). Takes should finish in
 * about the time of one Generate: they run side by side, not one after another.
 *
 * BENCH_PAIRS [12] interleaved pairs (order alternating), after 2 warm-up pairs; one fresh page per sample. Database:
 * a fresh PostgreSQL database on BENCH_DATABASE_URL's / DATABASE_URL's server (dropped afterwards), else PGlite in a
 * temporary directory. Results: bench/results/takes.md.
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import type { LanguageModelV4, LanguageModelV4StreamPart } from "@ai-sdk/provider";
import { serve } from "inngest/node";
import { setDbHandle, type DbHandle } from "@/db";
import { openPglite } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { subscribeJobUpdates } from "@/lib/ai";
import { createRunAiJob } from "@/lib/ai/functions/run-ai-job";
import { settleFanOutParentOnFailure } from "@/lib/ai/functions/settle-fan-out-parent";
import { createJobTypeRegistry } from "@/lib/ai/job-types";
import { resolveModel } from "@/lib/ai/models";
import { createEmbeddedEngine } from "@/lib/inngest/embedded";
import { localServeHandler, serveOptions } from "@/lib/inngest/serve";
import { requestPageText, requestTakes } from "@/lib/stories";
import { applyPageJobResultFunction } from "@/lib/stories/functions/apply-page-job-result";
import { pageTextTakesFunction } from "@/lib/stories/functions/page-text-takes";
import { storyJobTypes } from "@/lib/stories/job-types";
import { type Author, makeAuthor, makeStory } from "../shared/authors";
import { machineWithVersions, PostgresUnreachable, withFreshPostgres } from "../shared/bench-db";
import { loadavg } from "../shared/load";

const PAIRS = Number(process.env.BENCH_PAIRS ?? 12);
const TAKES = Number(process.env.BENCH_TAKES ?? 3);
const WARMUP = 2;
const FIRST_TOKEN_MS = 200;
const TOKEN_INTERVAL_MS = 10;
const TOKENS = 60;
const SAMPLE_TIMEOUT_MS = 60_000;
// Every take is a request: the per-minute rate limit is not what this measures.
process.env.AI_RATE_LIMIT_PER_MINUTE = "0";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();

/** A model of fixed speed: the first token after 200 ms, then one every 10 ms. */
function fixedSpeedModel(): LanguageModelV4 {
  return {
    specificationVersion: "v4",
    provider: "bench",
    modelId: "fixed-speed",
    supportedUrls: {},
    async doGenerate() {
      throw new Error("streaming only");
    },
    async doStream() {
      const stream = new ReadableStream<LanguageModelV4StreamPart>({
        async start(controller) {
          controller.enqueue({ type: "stream-start", warnings: [] });
          controller.enqueue({ type: "text-start", id: "0" });
          await sleep(FIRST_TOKEN_MS);
          for (let i = 0; i < TOKENS; i++) {
            if (i > 0) await sleep(TOKEN_INTERVAL_MS);
            controller.enqueue({ type: "text-delta", id: "0", delta: `word${i} ` });
          }
          controller.enqueue({ type: "text-end", id: "0" });
          controller.enqueue({
            type: "finish",
            finishReason: { unified: "stop", raw: "stop" },
            usage: {
              inputTokens: { total: 100, noCache: 100, cacheRead: 0, cacheWrite: 0 },
              outputTokens: { total: TOKENS, text: TOKENS, reasoning: 0 },
            },
          });
          controller.close();
        },
      });
      return { stream };
    },
  };
}

/** When a job first shows text, and when it has succeeded and landed (its last in-process update). */
function watchJob(jobId: string, t0: number): { first: Promise<number>; done: Promise<number>; stop(): void } {
  let resolveFirst!: (v: number) => void;
  let resolveDone!: (v: number) => void;
  const first = new Promise<number>((r) => {
    resolveFirst = r;
  });
  const done = new Promise<number>((r) => {
    resolveDone = r;
  });
  const stop = subscribeJobUpdates(jobId, (update) => {
    if (update.partialText) resolveFirst(now() - t0);
    if (update.status === "succeeded") resolveDone(now() - t0);
  });
  const timeout = <T>(p: Promise<T>) =>
    Promise.race([
      p,
      sleep(SAMPLE_TIMEOUT_MS).then(() => {
        throw new Error(`job ${jobId} timed out`);
      }),
    ]);
  return { first: timeout(first), done: timeout(done), stop };
}

interface GenerateSample {
  ttft: number;
  total: number;
}
interface TakesSample {
  /** Per take, in the order asked for. */
  ttft: number[];
  done: number[];
  allDone: number;
}

async function oneGenerate(author: Author, pageId: string): Promise<GenerateSample> {
  const t0 = now();
  const job = await requestPageText(author.actor, { pageId, instruction: "Continue the scene." });
  const w = watchJob(job.id, t0);
  try {
    return { ttft: await w.first, total: await w.done };
  } finally {
    w.stop();
  }
}

async function oneTakeSet(author: Author, pageId: string): Promise<TakesSample> {
  const t0 = now();
  const { set } = await requestTakes(author.actor, { pageId, count: TAKES, instruction: "Continue the scene." });
  const watches = set.takes.map((take) => watchJob(take.id, t0));
  try {
    const ttft = await Promise.all(watches.map((w) => w.first));
    const done = await Promise.all(watches.map((w) => w.done));
    return { ttft, done, allDone: Math.max(...done) };
  } finally {
    for (const w of watches) w.stop();
  }
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
const ms = (v: number) => `${Math.round(v)} ms`;
const row = (label: string, values: number[]) =>
  `| ${label} | ${ms(quantile(values, 0.5))} | ${ms(quantile(values, 0.95))} | ${ms(Math.min(...values))} | ${ms(Math.max(...values))} |`;

async function bench(label: string, handle: DbHandle): Promise<string> {
  setDbHandle(handle);
  const loadAtStart = loadavg();
  const startedAt = new Date();
  const model = fixedSpeedModel();
  const functions = [
    createRunAiJob({
      model: () => ({ ...resolveModel({}), model, provider: "bench", modelId: "fixed-speed" }),
      jobTypes: createJobTypeRegistry(storyJobTypes),
      globalConcurrency: 20,
    }),
    applyPageJobResultFunction,
    pageTextTakesFunction,
    settleFanOutParentOnFailure,
  ];
  const handler = serve(serveOptions(functions));
  const server = http.createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const serveUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/inngest`;
  const engine = createEmbeddedEngine({ db: handle.db, logger: () => {}, singleProcess: handle.mode === "pglite" });
  await engine.start({ serveUrl, localServe: localServeHandler(functions) });
  const generates: GenerateSample[] = [];
  const sets: TakesSample[] = [];
  try {
    const author = await makeAuthor(handle.db, "takes");
    for (let i = 0; i < WARMUP + PAIRS; i++) {
      const [generatePage, takesPage] = await makeStory(author, `Bench ${i}`, 2);
      const order = i % 2 === 0 ? (["generate", "takes"] as const) : (["takes", "generate"] as const);
      for (const kind of order) {
        if (kind === "generate") {
          const sample = await oneGenerate(author, generatePage!.pageId);
          if (i >= WARMUP) generates.push(sample);
        } else {
          const sample = await oneTakeSet(author, takesPage!.pageId);
          if (i >= WARMUP) sets.push(sample);
        }
      }
      process.stdout.write(".");
    }
  } finally {
    await engine.stop(2000);
    server.closeAllConnections();
    server.close();
    setDbHandle(undefined);
  }
  process.stdout.write("\n");

  const genTotal = quantile(
    generates.map((s) => s.total),
    0.5,
  );
  const allDone = quantile(
    sets.map((s) => s.allDone),
    0.5,
  );
  const lines = [
    "# Takes vs one Generate",
    "",
    `Run ${startedAt.toISOString()} on ${machineWithVersions()} (nproc ${os.cpus().length}).`,
    `Load (1/5/15 min) at start ${loadAtStart}, at end ${loadavg()}. Database: ${label}.`,
    "",
    `Command: \`npm run bench:takes\` (BENCH_PAIRS=${PAIRS}, BENCH_TAKES=${TAKES}; ${WARMUP} warm-up pairs not counted).`,
    "",
    `The app's functions in the embedded engine (in-process calls, as under \`next start\`), the ledger in the database,`,
    `a fake model of fixed speed: first token after ${FIRST_TOKEN_MS} ms, then one token every ${TOKEN_INTERVAL_MS} ms, ${TOKENS} tokens`,
    `(so the model alone takes ${FIRST_TOKEN_MS + (TOKENS - 1) * TOKEN_INTERVAL_MS} ms). Times from the request (the domain call, as a server action or`,
    "REST route makes it) to the job's first partial text published in-process (what the story stream forwards) and to",
    "its success after landing (a Generate: written into the page; a take: stored, waiting for the choice).",
    `${PAIRS} samples each, interleaved (the order alternates).`,
    "",
    "| | median | p95 | min | max |",
    "|---|---|---|---|---|",
    row(
      "Generate: first token",
      generates.map((s) => s.ttft),
    ),
    row(
      "Generate: done",
      generates.map((s) => s.total),
    ),
    ...Array.from({ length: TAKES }, (_v, i) =>
      row(
        `Take ${i + 1}: first token`,
        sets.map((s) => s.ttft[i]!),
      ),
    ),
    row(
      "Takes: first token of the last take",
      sets.map((s) => Math.max(...s.ttft)),
    ),
    ...Array.from({ length: TAKES }, (_v, i) =>
      row(
        `Take ${i + 1}: done`,
        sets.map((s) => s.done[i]!),
      ),
    ),
    row(
      `All ${TAKES} takes done`,
      sets.map((s) => s.allDone),
    ),
    "",
    `**All ${TAKES} takes done / one Generate done (medians): ${(allDone / genTotal).toFixed(2)}×** — ${TAKES} takes run one after another would`,
    `take about ${TAKES}× (${ms(TAKES * genTotal)}).`,
    "",
  ];
  return lines.join("\n");
}

async function main() {
  const base = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
  let report: string;
  try {
    if (!base) throw new PostgresUnreachable("no DATABASE_URL");
    report = await withFreshPostgres(base, "bench_takes", bench);
  } catch (error) {
    if (!(error instanceof PostgresUnreachable)) throw error;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-takes-"));
    const handle = await openPglite(dir);
    await runMigrations(handle);
    try {
      report = await bench("PGlite (temporary directory)", handle);
    } finally {
      await handle.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  fs.mkdirSync("bench/results", { recursive: true });
  fs.writeFileSync("bench/results/takes.md", report);
  console.log(report);
  process.exit(0);
}

void main();
