import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { eq, inArray, sql } from "drizzle-orm";
import { setDbHandle, type DbHandle } from "@/db";
import { aiJobs } from "@/db/ai-schema";
import { openPglite } from "@/db/client";
import { pageSummaries } from "@/db/memory-schema";
import { runMigrations } from "@/db/migrate";
import { pages } from "@/db/schema";
import type { EngineTiming } from "@/lib/inngest/embedded";
import { inngestRuns, startEmbeddedEngine, stopEmbeddedEngine } from "@/lib/inngest/embedded/testing";
import { inngestMode } from "@/lib/inngest/mode";
import { cancelJobForApi, getSummarizeAll, requestPageText, requestSummarizeAll, type Actor } from "@/lib/stories";
import { answerFor, clock, createBenchModel, TAG_PREFIX } from "../generation/mock-model";
import { serveOnLoopback } from "../generation/serve";
import { machineWithVersions, redactUrl, withFreshPostgres } from "../shared/bench-db";
import {
  functionsWithBenchModel,
  logger,
  makeAuthor,
  makeStory,
  median,
  mp,
  ms,
  p95,
  pageWritten,
  ratio,
  sleep,
  tapLiveBus,
} from "../shared/generate-under-load";
import { loadavg } from "../shared/load";

const JOBS = Number(process.env.BENCH_JOBS ?? 30);
const MODEL_MS = Number(process.env.BENCH_MODEL_MS ?? 200);
const A_PAGES = Number(process.env.BENCH_PAGES ?? 1000);
const B_PAGES = Number(process.env.BENCH_B_PAGES ?? 20);
const GAP_MS = Number(process.env.BENCH_GAP_MS ?? 100);
const SUMMARY_WAIT_S = Number(process.env.BENCH_SUMMARY_WAIT_S ?? 360);
const WARMUP_JOBS = 10;
const JOB_TIMEOUT_MS = 120_000;
/** A tuned engine (e.g. '{"concurrencyRecheckMs":2000}'): its report is only printed, never written to the results. */
const TUNED: EngineTiming | undefined = process.env.BENCH_ENGINE_TIMING
  ? (JSON.parse(process.env.BENCH_ENGINE_TIMING) as EngineTiming)
  : undefined;

// Summaries use the environment's model: keep it the offline one, writing at full speed (DECISIONS.md, Story memory).
for (const name of ["OPENAI_BASE_URL", "OPENAI_API_KEY", "AI_MODEL"]) delete process.env[name];
process.env.OFFLINE_MODEL_MS_PER_WORD = "0";
// One bench author requests a hundred Generate jobs and 1,000 summaries: rate limits are not what is measured.
process.env.AI_RATE_LIMIT_PER_MINUTE ??= "0";
if (inngestMode() !== "embedded") {
  console.error(
    "An external Inngest is configured (INNGEST_* variables): this benchmark measures the embedded engine.",
  );
  process.exit(2);
}

const model = createBenchModel();

// ---------------------------------------------------------------------------------------------------------------
// Passes.

interface Pass {
  label: string;
  e2e: number[];
  model: number[];
  overhead: number[];
  seconds: number;
  load: [string, string];
  cpuPerJobMs: number;
  succeeded: number;
  contentOk: number;
  lost: number;
  /** Summaries of story A that landed during the pass. */
  summaries: number;
  /**
   * How long the process's event loop was held up during the pass (ms, p99 and max): Generate, the engine and the
   * summaries share the one loop, so a long synchronous stretch of any of them delays every Generate in flight.
   */
  loopDelay: { p99: number; max: number };
  /** Where Generate's time went, from the engine's run rows (ms): see the report's footnote. */
  phases: { toRun: number[]; aiClaim: number[]; aiRun: number[]; applyClaim: number[]; applyRun: number[] };
}

async function summariesOfA(handle: DbHandle, storyId: string): Promise<number> {
  const [row] = await handle.db
    .select({ n: sql<number>`count(*)` })
    .from(pageSummaries)
    .where(eq(pageSummaries.storyId, storyId));
  return Number(row?.n ?? 0);
}

async function generatePass(
  handle: DbHandle,
  actor: Actor,
  pageIds: string[],
  label: string,
  storyA: string,
): Promise<Pass> {
  model.setTotalMs(MODEL_MS);
  const loadStart = loadavg();
  const summariesBefore = await summariesOfA(handle, storyA);
  const cpuBefore = process.cpuUsage();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const started = clock();
  const samples: { pageId: string; jobId?: string; tReq: number; tWritten?: number }[] = [];
  for (const pageId of pageIds) {
    const sample: (typeof samples)[number] = { pageId, tReq: clock() };
    try {
      const view = await requestPageText(actor, { pageId, instruction: `${TAG_PREFIX} ${pageId}` });
      sample.jobId = view.id;
      sample.tWritten = await pageWritten(view.id, JOB_TIMEOUT_MS);
    } catch (error) {
      console.error(`request for page ${pageId} failed: ${(error as Error).message}`);
    }
    samples.push(sample);
    await sleep(GAP_MS);
  }
  const seconds = (clock() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  loop.disable();
  const summariesAfter = await summariesOfA(handle, storyA);
  const pass: Pass = {
    label,
    e2e: [],
    model: [],
    overhead: [],
    seconds,
    load: [loadStart, loadavg()],
    cpuPerJobMs: (cpu.user + cpu.system) / 1000 / pageIds.length,
    loopDelay: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
    succeeded: 0,
    contentOk: 0,
    lost: samples.filter((s) => s.tWritten === undefined).length,
    summaries: summariesAfter - summariesBefore,
    phases: { toRun: [], aiClaim: [], aiRun: [], applyClaim: [], applyRun: [] },
  };
  for (const s of samples) {
    const timing = model.timings.get(s.pageId);
    if (s.tWritten === undefined || !timing?.starts.length) continue;
    const e2e = s.tWritten - s.tReq;
    const modelTime = timing.starts.reduce((acc, start, i) => acc + ((timing.ends[i] ?? start) - start), 0);
    pass.e2e.push(e2e);
    pass.model.push(modelTime);
    pass.overhead.push(e2e - modelTime);
  }
  const jobIds = samples.flatMap((s) => (s.jobId ? [s.jobId] : []));
  if (jobIds.length) {
    const runs = await handle.db
      .select({
        functionId: inngestRuns.functionId,
        jobId: sql<string>`${inngestRuns.event}->'data'->>'jobId'`,
        createdAt: inngestRuns.createdAt,
        startedAt: inngestRuns.startedAt,
      })
      .from(inngestRuns)
      .where(inArray(sql`${inngestRuns.event}->'data'->>'jobId'`, jobIds));
    for (const s of samples) {
      const ai = runs.find((r) => r.jobId === s.jobId && r.functionId.endsWith("run-ai-job"));
      const apply = runs.find((r) => r.jobId === s.jobId && r.functionId.endsWith("apply-page-job-result"));
      const timing = model.timings.get(s.pageId);
      if (!ai?.startedAt || s.tWritten === undefined || !timing?.starts.length) continue;
      const modelTime = (timing.ends[0] ?? timing.starts[0]!) - timing.starts[0]!;
      pass.phases.toRun.push(ai.createdAt.getTime() - s.tReq);
      pass.phases.aiClaim.push(ai.startedAt.getTime() - ai.createdAt.getTime());
      // A job lands inside run-ai-job's finish step: an apply run exists only for a landing finish could not do.
      if (!apply?.startedAt) {
        pass.phases.aiRun.push(s.tWritten - ai.startedAt.getTime() - modelTime);
        continue;
      }
      pass.phases.aiRun.push(apply.createdAt.getTime() - ai.startedAt.getTime() - modelTime);
      pass.phases.applyClaim.push(apply.startedAt.getTime() - apply.createdAt.getTime());
      pass.phases.applyRun.push(s.tWritten - apply.startedAt.getTime());
    }
    const jobs = await handle.db.select({ status: aiJobs.status }).from(aiJobs).where(inArray(aiJobs.id, jobIds));
    pass.succeeded = jobs.filter((j) => j.status === "succeeded").length;
  }
  const rows = await handle.db
    .select({ id: pages.id, content: pages.content })
    .from(pages)
    .where(inArray(pages.id, pageIds));
  pass.contentOk = rows.filter((r) => r.content === answerFor(r.id)).length;
  console.log(
    `${label}: overhead ${mp(pass.overhead)} ms, end-to-end ${mp(pass.e2e)} ms, ${pass.summaries} summaries landed, ` +
      `load ${pass.load[0]} → ${pass.load[1]}`,
  );
  return pass;
}

interface Result {
  database: string;
  fixtureSeconds: number;
  passes: Pass[];
  loadedPassSeconds: number;
  summaries: {
    pages: number;
    requestedAt: number;
    /** Ms from the request to the first summary landed (planning the fan-out of 1,000 children comes first). */
    firstAfterMs: number;
    /** Ms from the request until every page had its summary, or NaN when the wait ran out. */
    allAfterMs: number;
    landed: number;
    cancelled: boolean;
    finalStatus: string;
    failed: number;
    loadDuringWait: [string, string];
  };
}

async function benchmark(database: string, handle: DbHandle): Promise<Result> {
  setDbHandle(handle);
  // Fixtures before the engine starts: adding 1,000 pages would otherwise queue 1,000 debounced after-edit summaries.
  const fixturesFrom = Date.now();
  const actor = await makeAuthor(handle.db);
  const storyA = await makeStory(actor, "Story A (1,000 pages)", A_PAGES, 0, 11);
  const storyB = await makeStory(actor, "Story B (Generate)", B_PAGES, WARMUP_JOBS + 3 * JOBS, 23);
  const fixtureSeconds = (Date.now() - fixturesFrom) / 1000;
  console.log(`${database}: fixtures made in ${fixtureSeconds.toFixed(1)} s`);

  const served = await serveOnLoopback(functionsWithBenchModel(model));
  await startEmbeddedEngine({ handle, serveUrl: served.url, logger, ...(TUNED ?? {}) });
  try {
    const blanks = storyB.blanks;
    const warmup = blanks.slice(0, WARMUP_JOBS);
    const baseline1 = blanks.slice(WARMUP_JOBS, WARMUP_JOBS + JOBS);
    const loaded = blanks.slice(WARMUP_JOBS + JOBS, WARMUP_JOBS + 2 * JOBS);
    const baseline2 = blanks.slice(WARMUP_JOBS + 2 * JOBS);
    await generatePass(handle, actor, warmup, "warm-up (not counted)", storyA.id);
    const passes: Pass[] = [];
    passes.push(await generatePass(handle, actor, baseline1, "1. baseline", storyA.id));

    const requestedAt = clock();
    const outcome = await requestSummarizeAll(actor, { storyId: storyA.id });
    console.log(`Summarize all requested: ${outcome.job.total} pages`);
    let firstAt = NaN;
    let allAt = NaN;
    let stopWatching = false;
    // Watches the summaries land (a cheap count every second) during the loaded pass and the wait after it.
    const watcher = (async () => {
      while (!stopWatching) {
        const n = await summariesOfA(handle, storyA.id);
        if (n > 0 && Number.isNaN(firstAt)) firstAt = clock();
        if (n >= A_PAGES) {
          allAt = clock();
          return;
        }
        await sleep(1000);
      }
    })();
    const loadedFrom = clock();
    passes.push(await generatePass(handle, actor, loaded, "2. during Summarize all", storyA.id));
    const loadedPassSeconds = (clock() - loadedFrom) / 1000;

    const waitLoadStart = loadavg();
    const deadline = Date.now() + SUMMARY_WAIT_S * 1000;
    let lastLog = Date.now();
    while (Number.isNaN(allAt) && Date.now() < deadline) {
      await sleep(1000);
      if (Date.now() - lastLog > 30_000) {
        lastLog = Date.now();
        console.log(`  summaries landed: ${await summariesOfA(handle, storyA.id)} of ${A_PAGES}`);
      }
    }
    stopWatching = true;
    await watcher;
    const waitLoadEnd = loadavg();
    let cancelled = false;
    if (Number.isNaN(allAt)) {
      cancelled = true;
      await cancelJobForApi(actor, { jobId: outcome.job.id });
      // Let the runs that were mid-flight end, so the last baseline is not loaded by them.
      await sleep(5000);
    }
    const landed = await summariesOfA(handle, storyA.id);
    const view = await getSummarizeAll(actor, { storyId: storyA.id, jobId: outcome.job.id });

    passes.push(await generatePass(handle, actor, baseline2, "3. baseline again", storyA.id));
    return {
      database,
      fixtureSeconds,
      passes,
      loadedPassSeconds,
      summaries: {
        pages: A_PAGES,
        requestedAt,
        firstAfterMs: firstAt - requestedAt,
        allAfterMs: allAt - requestedAt,
        landed,
        cancelled,
        finalStatus: view?.status ?? "unknown",
        failed: view?.failed ?? 0,
        loadDuringWait: [waitLoadStart, waitLoadEnd],
      },
    };
  } finally {
    await stopEmbeddedEngine();
    await served.close();
  }
}

async function withPglite(): Promise<Result> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-memory-"));
  const handle = await openPglite(path.join(dir, "pglite"));
  try {
    await runMigrations(handle);
    return await benchmark("PGlite (directory)", handle);
  } finally {
    await handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function withPostgres(baseUrl: string): Promise<Result> {
  return withFreshPostgres(baseUrl, "bench_mem", benchmark);
}

// ---------------------------------------------------------------------------------------------------------------
// Report.

function report(r: Result, command: string, totalSeconds: number, loads: [string, string]): string {
  const [b1, loaded, b2] = r.passes as [Pass, Pass, Pass];
  const pooled = { overhead: [...b1.overhead, ...b2.overhead], e2e: [...b1.e2e, ...b2.e2e] };
  const s = r.summaries;
  const rate = loaded.summaries / loaded.seconds;
  const row = (name: string, cells: string[]) => `| ${name} | ${cells.join(" | ")} |`;
  const cols = [b1, loaded, b2];
  const verdictRatio = median(loaded.overhead) / median(pooled.overhead);
  return [
    "# Story memory under load: Summarize all (1,000 pages, offline model) beside Generate",
    "",
    `Run on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC with \`${command}\` (${totalSeconds.toFixed(0)} s in all;` +
      ` fixtures ${r.fixtureSeconds.toFixed(0)} s).`,
    "",
    `Machine: ${machineWithVersions()}. A 2-core machine shared with other agents: /proc/loadavg (1, 5, 15 min) was ${loads[0]} at the`,
    `start and ${loads[1]} at the end of the run; per pass below.`,
    "",
    "## What is measured",
    "",
    `Story A: ${s.pages} pages of ~300 words and no summaries. Story B: ${B_PAGES} written pages of ~300 words, then blank`,
    "pages that Generate writes **one at a time** (the next is requested once the page is written, after a",
    `${GAP_MS} ms gap). Per Generate: **end-to-end** = \`requestPageText\` called → page written (the apply step's`,
    "announcement on the live bus); **model time** inside the injected model (streams a few words over",
    `${MODEL_MS} ms); **overhead** = end-to-end − model time. ${JOBS} jobs per pass, ${WARMUP_JOBS} warm-up jobs first (not counted).`,
    "",
    "1. **baseline** — nothing else running;",
    '2. **during Summarize all** — `requestSummarizeAll` on story A (as the "Summarize all" button and the REST endpoint',
    "   call it), then at once the same Generate jobs on B while the summaries are written;",
    `3. **baseline again** — after every summary had landed (or, past ${SUMMARY_WAIT_S} s, the rest was cancelled), so a drift`,
    "   of the shared machine over the run shows as a difference between 1 and 3, not as an effect of the summaries.",
    "",
    "The path production uses: all of `storyInngestFunctions()` (lib/stories/functions) behind the real `serve()` on",
    `loopback, driven by the embedded engine in the same Node process with its production defaults: Generate on`,
    `\`run-ai-job\` (AI_CONCURRENCY ${process.env.AI_CONCURRENCY ?? "4, the default"}), each page's summary on`,
    `\`run-ai-child-job\` (AI_BACKGROUND_CONCURRENCY ${process.env.AI_BACKGROUND_CONCURRENCY ?? "2, the default"}).`,
    "Only Generate's model is injected; the summaries use the model the environment resolves (`resolveModel()`: the",
    "offline model, no keys set) with `OFFLINE_MODEL_MS_PER_WORD=0`, so what they cost is the orchestration, the",
    `extractive summariser and the database. Database: ${r.database}${r.database.startsWith("PGlite") ? ", which runs in the same thread as everything else" : ""}.`,
    "",
    "## Result",
    "",
    `- Generate's median overhead during Summarize all: **${ms(median(loaded.overhead))} ms** against ${ms(median(pooled.overhead))} ms`,
    `  without it (passes 1 and 3 pooled): ratio **${ratio(median(loaded.overhead), median(pooled.overhead))}** at p50,` +
      ` **${ratio(p95(loaded.overhead), p95(pooled.overhead))}** at p95.`,
    `- Summaries landed during the loaded pass: ${loaded.summaries} in ${loaded.seconds.toFixed(1)} s (${rate.toFixed(1)} a second);` +
      ` the first ${ms(s.firstAfterMs / 1000)} s after the request.`,
    s.cancelled
      ? `- Not all summaries landed within ${SUMMARY_WAIT_S} s: ${s.landed} of ${s.pages}; the rest was cancelled (status ${s.finalStatus}).`
      : `- All ${s.pages} summaries landed **${(s.allAfterMs / 1000).toFixed(0)} s** after the request` +
        ` (${(s.pages / (s.allAfterMs / 1000)).toFixed(1)} a second overall); Summarize all ended ${s.finalStatus}, ${s.failed} failed.`,
    `- ${verdictRatio <= 1.25 ? "The median overhead holds within 25 %" : `The median overhead rises by ${((verdictRatio - 1) * 100).toFixed(0)} %`}` +
      " while the summaries run (see the interpretation).",
    "",
    "Medians, p95 in brackets.",
    "",
    `| | 1. baseline | 2. during Summarize all | 3. baseline again | 2 ÷ (1+3) |`,
    "|---|---|---|---|---|",
    row("**Overhead** = end-to-end − model (ms)", [
      ...cols.map((p) => `**${mp(p.overhead)}**`),
      `**${ratio(median(loaded.overhead), median(pooled.overhead))} (${ratio(p95(loaded.overhead), p95(pooled.overhead))})**`,
    ]),
    row("End-to-end: request → page written (ms)", [
      ...cols.map((p) => mp(p.e2e)),
      `${ratio(median(loaded.e2e), median(pooled.e2e))} (${ratio(p95(loaded.e2e), p95(pooled.e2e))})`,
    ]),
    row("Model's own time (ms)", [...cols.map((p) => ms(median(p.model))), ""]),
    row("¹ request → run-ai-job run queued (ms)", [...cols.map((p) => mp(p.phases.toRun)), ""]),
    row("¹ run queued → claimed (ms)", [...cols.map((p) => mp(p.phases.aiClaim)), ""]),
    row("¹ claimed → page written by finish (or → apply run queued), model excluded (ms)", [
      ...cols.map((p) => mp(p.phases.aiRun)),
      "",
    ]),
    row("¹ apply run queued → claimed (ms)", [...cols.map((p) => mp(p.phases.applyClaim)), ""]),
    row("¹ apply claimed → page written (ms)", [...cols.map((p) => mp(p.phases.applyRun)), ""]),
    row("Overhead ratio against this baseline alone, p50 (p95)", [
      `${ratio(median(loaded.overhead), median(b1.overhead))} (${ratio(p95(loaded.overhead), p95(b1.overhead))})`,
      "",
      `${ratio(median(loaded.overhead), median(b2.overhead))} (${ratio(p95(loaded.overhead), p95(b2.overhead))})`,
      "",
    ]),
    row("Jobs: succeeded / page written as the model wrote it / lost", [
      ...cols.map((p) => `${p.succeeded} / ${p.contentOk} / ${p.lost} of ${JOBS}`),
      "",
    ]),
    row("Summaries of story A landed during the pass", [...cols.map((p) => String(p.summaries)), ""]),
    row("Pass wall time (s)", [...cols.map((p) => p.seconds.toFixed(1)), ""]),
    row("Event-loop delay during the pass, p99 / max (ms)", [
      ...cols.map((p) => `${p.loopDelay.p99.toFixed(0)} / ${p.loopDelay.max.toFixed(0)}`),
      "",
    ]),
    row("Process CPU per Generate job, all work of the process included (ms)", [
      ...cols.map((p) => p.cpuPerJobMs.toFixed(0)),
      "",
    ]),
    row("Machine load (1, 5, 15 min) at start → end of the pass", [
      ...cols.map((p) => `${p.load[0]} → ${p.load[1]}`),
      "",
    ]),
    "",
    "¹ From the engine's run rows (`inngest_runs.created_at`, and `started_at`, stamped when the claim transaction",
    "begins), in the database's clock: the five rows add up to end-to-end less model time (medians do not).",
    "",
    `While waiting for the rest of the summaries after pass 2: load ${s.loadDuringWait[0]} → ${s.loadDuringWait[1]}.`,
    "",
    "## Interpretation",
    "",
    "Generate and the summaries share one Node process (the embedded engine, the serve handler, the app code and, with",
    "PGlite, the database) and the machine's two cores. The summaries have their own concurrency limit",
    "(AI_BACKGROUND_CONCURRENCY), so they never take Generate's slots — but Summarize all queues all of its page runs",
    "in the engine at once. The engine parks a run whose concurrency key is full (`inngest_queue.parked_on`) and wakes",
    "the oldest parked runs of a key when a slot frees (docs/ENGINE.md), so the held-back backlog is no longer walked",
    'by every claim: Generate\'s items are claimed as soon as they are due (row ¹ "run queued → claimed"). What is',
    "left of the difference is sharing the process and the two cores with the summaries' own work (their model calls,",
    "landings and ledger writes): compare the process CPU per Generate job. A Generate lands inside its run's finish",
    "step, so the apply-run rows stay empty unless a landing had to be retried. Passes 1 and 3 bracket the loaded pass",
    "so that a change of the",
    "shared machine's load during the run is visible.",
    "",
  ].join("\n");
}

// ---------------------------------------------------------------------------------------------------------------

const began = Date.now();
const loadAtStart = loadavg();
tapLiveBus();
const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
const result = pgUrl ? await withPostgres(pgUrl) : await withPglite();
const envShown = [
  "BENCH_DATABASE_URL",
  "DATABASE_URL",
  "BENCH_JOBS",
  "BENCH_MODEL_MS",
  "BENCH_PAGES",
  "BENCH_B_PAGES",
  "BENCH_GAP_MS",
  "BENCH_SUMMARY_WAIT_S",
  "AI_CONCURRENCY",
  "AI_BACKGROUND_CONCURRENCY",
  "BENCH_ENGINE_TIMING",
]
  .filter((n) => process.env[n] !== undefined)
  .map((n) => `${n}=${n.endsWith("DATABASE_URL") ? redactUrl(process.env[n]!) : process.env[n]}`);
const command = [...envShown, "npm run bench:memory"].join(" ");
const markdown = report(result, command, (Date.now() - began) / 1000, [loadAtStart, loadavg()]);
console.log(`\n${markdown}`);
if (TUNED) console.log("A tuned engine: not written to bench/results/memory.md");
else {
  fs.mkdirSync("bench/results", { recursive: true });
  fs.writeFileSync("bench/results/memory.md", markdown);
  console.log("Written to bench/results/memory.md");
}
const bad = result.passes.some((p) => p.succeeded !== JOBS || p.contentOk !== JOBS || p.lost > 0);
process.exit(bad ? 1 : 0);
