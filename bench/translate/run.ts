import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { inArray, sql } from "drizzle-orm";
import { setDbHandle, type DbHandle } from "@/db";
import { aiJobs } from "@/db/ai-schema";
import { openPglite } from "@/db/client";
import { translatedPages } from "@/db/translations-schema";
import { runMigrations } from "@/db/migrate";
import { pages } from "@/db/schema";
import { inngestRuns, startEmbeddedEngine, stopEmbeddedEngine } from "@/lib/inngest/embedded/testing";
import { inngestMode } from "@/lib/inngest/mode";
import { cancelJobForApi, listTranslations, requestPageText, translateStory, type Actor } from "@/lib/stories";
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
const A_PAGES = Number(process.env.BENCH_PAGES ?? 200);
const B_PAGES = Number(process.env.BENCH_B_PAGES ?? 20);
const GAP_MS = Number(process.env.BENCH_GAP_MS ?? 100);
const TRANSLATE_WAIT_S = Number(process.env.BENCH_TRANSLATE_WAIT_S ?? 600);
const WARMUP_JOBS = 10;
const JOB_TIMEOUT_MS = 120_000;

// The translation uses the environment's model: keep it the offline one, at full speed (DECISIONS.md, Story memory).
for (const name of ["OPENAI_BASE_URL", "OPENAI_API_KEY", "AI_MODEL"]) delete process.env[name];
process.env.OFFLINE_MODEL_MS_PER_WORD = "0";
// One bench author requests a hundred Generate jobs and a 200-page translation: rate limits are not measured.
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
  /** Pages of A's translation that landed during the pass. */
  summaries: number;
  /** Where Generate's time went, from the engine's run rows (ms): see the report's footnote. */
  phases: { toRun: number[]; aiClaim: number[]; aiRun: number[]; applyClaim: number[]; applyRun: number[] };
}

/** Pages of the translation whose translation has landed (written, or kept as a suggestion): 0 before it exists. */
let translationId: string | null = null;
async function summariesOfA(handle: DbHandle, _storyId: string): Promise<number> {
  if (!translationId) return 0;
  const [row] = await handle.db
    .select({ n: sql<number>`count(*)` })
    .from(translatedPages)
    .where(sql`${translatedPages.translationId} = ${translationId} and ${translatedPages.sourceVersion} is not null`);
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
  const summariesAfter = await summariesOfA(handle, storyA);
  const pass: Pass = {
    label,
    e2e: [],
    model: [],
    overhead: [],
    seconds,
    load: [loadStart, loadavg()],
    cpuPerJobMs: (cpu.user + cpu.system) / 1000 / pageIds.length,
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
    `${label}: overhead ${mp(pass.overhead)} ms, end-to-end ${mp(pass.e2e)} ms, ${pass.summaries} pages translated, ` +
      `load ${pass.load[0]} → ${pass.load[1]}`,
  );
  return pass;
}

interface Result {
  database: string;
  fixtureSeconds: number;
  passes: Pass[];
  translation: {
    pages: number;
    /** Ms from the request to the first page landed (planning the fan-out comes first). */
    firstAfterMs: number;
    /** Ms from the request until every page had landed, or NaN when the wait ran out. */
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
  // Fixtures before the engine starts: adding 200 pages would otherwise queue 200 debounced after-edit summaries.
  const fixturesFrom = Date.now();
  const actor = await makeAuthor(handle.db);
  const storyA = await makeStory(actor, `Story A (${A_PAGES} pages)`, A_PAGES, 0, 11);
  const storyB = await makeStory(actor, "Story B (Generate)", B_PAGES, WARMUP_JOBS + 3 * JOBS, 23);
  const fixtureSeconds = (Date.now() - fixturesFrom) / 1000;
  console.log(`${database}: fixtures made in ${fixtureSeconds.toFixed(1)} s`);

  const served = await serveOnLoopback(functionsWithBenchModel(model));
  await startEmbeddedEngine({ handle, serveUrl: served.url, logger });
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
    const outcome = await translateStory(actor, { storyId: storyA.id, language: "fr" });
    translationId = outcome.translation.storyId;
    console.log(`Translate story requested: ${outcome.translation.run?.total ?? 0} pages`);
    let firstAt = NaN;
    let allAt = NaN;
    let stopWatching = false;
    const watcher = (async () => {
      while (!stopWatching) {
        const n = await summariesOfA(handle, storyA.id);
        if (n > 0 && Number.isNaN(firstAt)) firstAt = clock();
        if (n >= A_PAGES) {
          allAt = clock();
          return;
        }
        await sleep(250);
      }
    })();
    passes.push(await generatePass(handle, actor, loaded, "2. during the translation", storyA.id));

    const waitLoadStart = loadavg();
    const deadline = Date.now() + TRANSLATE_WAIT_S * 1000;
    let lastLog = Date.now();
    while (Number.isNaN(allAt) && Date.now() < deadline) {
      await sleep(500);
      if (Date.now() - lastLog > 30_000) {
        lastLog = Date.now();
        console.log(`  pages translated: ${await summariesOfA(handle, storyA.id)} of ${A_PAGES}`);
      }
    }
    stopWatching = true;
    await watcher;
    const waitLoadEnd = loadavg();
    let cancelled = false;
    const parentId = outcome.translation.run?.id;
    if (Number.isNaN(allAt) && parentId) {
      cancelled = true;
      await cancelJobForApi(actor, { jobId: parentId });
      await sleep(5000);
    }
    const landed = await summariesOfA(handle, storyA.id);
    const view = (await listTranslations(actor, { storyId: translationId })).translation;
    passes.push(await generatePass(handle, actor, baseline2, "3. baseline again", storyA.id));
    return {
      database,
      fixtureSeconds,
      passes,
      translation: {
        pages: A_PAGES,
        firstAfterMs: firstAt - requestedAt,
        allAfterMs: allAt - requestedAt,
        landed,
        cancelled,
        finalStatus: view?.run?.status ?? "unknown",
        failed: view?.run?.failed ?? 0,
        loadDuringWait: [waitLoadStart, waitLoadEnd],
      },
    };
  } finally {
    await stopEmbeddedEngine();
    await served.close();
  }
}

async function withPglite(): Promise<Result> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-translate-"));
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
  return withFreshPostgres(baseUrl, "bench_tr", benchmark);
}

// ---------------------------------------------------------------------------------------------------------------
// Report.

function report(r: Result, command: string, totalSeconds: number, loads: [string, string]): string {
  const [b1, loaded, b2] = r.passes as [Pass, Pass, Pass];
  const pooled = { overhead: [...b1.overhead, ...b2.overhead], e2e: [...b1.e2e, ...b2.e2e] };
  const t = r.translation;
  const row = (name: string, cells: string[]) => `| ${name} | ${cells.join(" | ")} |`;
  const cols = [b1, loaded, b2];
  const perMinute = (pagesDone: number, ms: number) => ((pagesDone / ms) * 60_000).toFixed(0);
  return [
    `# Translation under load: a ${t.pages}-page story (offline model) beside Generate`,
    "",
    `Run on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC with \`${command}\` (${totalSeconds.toFixed(0)} s in all;` +
      ` fixtures ${r.fixtureSeconds.toFixed(0)} s).`,
    "",
    `Machine: ${machineWithVersions()}. A 2-core machine shared with other agents: /proc/loadavg (1, 5, 15 min) was ${loads[0]} at the`,
    `start and ${loads[1]} at the end of the run; per pass below.`,
    "",
    "## What is measured",
    "",
    `Story A: ${t.pages} pages of ~300 words, translated into French by \`translateStory\` (as the Translate story button and`,
    "`POST /api/v1/stories/{id}/translations` call it): one `page.translate` child per page on `run-ai-child-job` under",
    `AI_BACKGROUND_CONCURRENCY (${process.env.AI_BACKGROUND_CONCURRENCY ?? "2, the default"}), the offline model with \`OFFLINE_MODEL_MS_PER_WORD=0\`, so what a page costs`,
    "is the orchestration (fan-out, section step, landing as a revision) and the database. Story B: blank pages that",
    `Generate writes one at a time (${GAP_MS} ms gap; injected model streaming over ${MODEL_MS} ms). Per Generate: **overhead** =`,
    `end-to-end (request → page written) − model time. ${JOBS} jobs per pass after ${WARMUP_JOBS} warm-up jobs. Passes:`,
    "1. baseline; 2. during the translation (requested just before the pass); 3. baseline again after the translation",
    `ended (or, past ${TRANSLATE_WAIT_S} s, was cancelled). Database: ${r.database}.`,
    "",
    "## Result",
    "",
    t.cancelled
      ? `- Not all pages landed within ${TRANSLATE_WAIT_S} s: ${t.landed} of ${t.pages}; the rest was cancelled.`
      : `- All ${t.pages} pages translated **${(t.allAfterMs / 1000).toFixed(1)} s** after the request: **${perMinute(t.pages, t.allAfterMs)} pages per minute**` +
        ` (first page landed ${(t.firstAfterMs / 1000).toFixed(1)} s after the request; run ${t.finalStatus}, ${t.failed} failed).`,
    `- During the loaded pass (${loaded.seconds.toFixed(1)} s): ${loaded.summaries} pages landed, ${perMinute(loaded.summaries, loaded.seconds * 1000)} pages per minute.`,
    `- Generate's median overhead while the translation runs: **${ms(median(loaded.overhead))} ms** against ${ms(median(pooled.overhead))} ms idle`,
    `  (passes 1 and 3 pooled): ratio **${ratio(median(loaded.overhead), median(pooled.overhead))}** at p50, **${ratio(p95(loaded.overhead), p95(pooled.overhead))}** at p95.`,
    "",
    "Medians, p95 in brackets.",
    "",
    "| | 1. baseline | 2. during the translation | 3. baseline again | 2 ÷ (1+3) |",
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
    row("¹ run queued → claimed (ms)", [...cols.map((p) => mp(p.phases.aiClaim)), ""]),
    row("Jobs: succeeded / page written as the model wrote it / lost", [
      ...cols.map((p) => `${p.succeeded} / ${p.contentOk} / ${p.lost} of ${JOBS}`),
      "",
    ]),
    row("Translated pages landed during the pass", [...cols.map((p) => String(p.summaries)), ""]),
    row("Pass wall time (s)", [...cols.map((p) => p.seconds.toFixed(1)), ""]),
    row("Process CPU per Generate job, all work of the process included (ms)", [
      ...cols.map((p) => p.cpuPerJobMs.toFixed(0)),
      "",
    ]),
    row("Machine load (1, 5, 15 min) at start → end of the pass", [
      ...cols.map((p) => `${p.load[0]} → ${p.load[1]}`),
      "",
    ]),
    "",
    "¹ From the engine's run rows (`inngest_runs`), in the database's clock.",
    "",
    `While waiting for the rest of the translation after pass 2: load ${t.loadDuringWait[0]} → ${t.loadDuringWait[1]}.`,
    "",
    "## Interpretation",
    "",
    "The translation's pages run under the background limit, on their own function (`run-ai-child-job`), so they",
    "never take Generate's slots; what remains is sharing the one Node process (engine, serve handler, app code and,",
    "with PGlite, the database) and the two cores with the pages' own work: compare the process CPU per Generate job.",
    "With the offline model at full speed the pages-per-minute figure is the orchestration's ceiling at this limit; a",
    "real model's latency divides it (each page waits for its model call, at most AI_BACKGROUND_CONCURRENCY at once).",
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
  "BENCH_TRANSLATE_WAIT_S",
  "AI_CONCURRENCY",
  "AI_BACKGROUND_CONCURRENCY",
]
  .filter((n) => process.env[n] !== undefined)
  .map((n) => `${n}=${n.endsWith("DATABASE_URL") ? redactUrl(process.env[n]!) : process.env[n]}`);
const command = [...envShown, "npm run bench:translate"].join(" ");
const markdown = report(result, command, (Date.now() - began) / 1000, [loadAtStart, loadavg()]);
console.log(`\n${markdown}`);
fs.mkdirSync("bench/results", { recursive: true });
fs.writeFileSync("bench/results/translate.md", markdown);
console.log("Written to bench/results/translate.md");
const bad =
  result.translation.cancelled || result.passes.some((p) => p.succeeded !== JOBS || p.contentOk !== JOBS || p.lost > 0);
process.exit(bad ? 1 : 0);
