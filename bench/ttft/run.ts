/**
 * Time to first token (`npm run bench:ttft`): Generate through the durable path beside a plain streaming route, both
 * served by the same `next start` and the same local fake model (fake-openai.ts: first token after 200 ms, then one
 * every 10 ms, 60 tokens; configured as a real model is, OPENAI_BASE_URL + AI_MODEL).
 *
 * - Durable path, as an author drives it: the story's event stream is open (as in the editor), then
 *   POST /api/v1/pages/{id}/generate (API token) starts the job; first token = the first `job` event of that job with
 *   its text (partial, or the finished text when no partial text reached the stream); total = its event with status
 *   succeeded and the text landed (resolution set).
 * - Plain route: POST /api/bench/plain-stream (env-gated, app/api/bench/plain-stream/route.ts), `streamText` with the
 *   same model and a prompt of the same story text, `toTextStreamResponse()`; first token = the first non-empty body
 *   chunk; total = the end of the body.
 * One at a time: BENCH_PAIRS [30] interleaved pairs (the order alternates). At once: BENCH_CONCURRENT [20] requests
 * together (one author and story each), BENCH_ROUNDS [3] rounds of each path, alternating; the server runs with
 * AI_CONCURRENCY = BENCH_AI_CONCURRENCY [20] so the limit allows them.
 *
 * Builds the app first when .next is missing or older than the sources (BENCH_SKIP_BUILD=1 skips that). Database: a
 * fresh PostgreSQL database on BENCH_DATABASE_URL's / DATABASE_URL's server (created and dropped), else PGlite in a
 * temporary directory. Results: bench/results/ttft.md.
 */
import fs from "node:fs";
import { setDbHandle, type DbHandle } from "@/db";
import { openPglite, openPostgres } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { type Author, CONTEXT, makeAuthor, makeStory, type Target } from "../shared/authors";
import { ensureBuild, loadavg, machine, startNext, tempDatabase } from "../shared/next-app";
import { clock, FIRST_TOKEN_MS, startFakeModel, TOKEN_INTERVAL_MS, TOKENS, type FakeModel } from "./fake-openai";
import { openStoryStream } from "./story-stream";

const PAIRS = Number(process.env.BENCH_PAIRS ?? 30);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const AI_CONCURRENCY = Number(process.env.BENCH_AI_CONCURRENCY ?? 20);
const WARMUP = 3;
const SAMPLE_TIMEOUT_MS = 60_000;
const startedAt = new Date();
const loadAtStart = loadavg();

type Path = "durable" | "plain";

interface Sample {
  path: Path;
  tag: string;
  /** ms from the request to: the first token seen, the end, the request answered (durable), the model called. */
  ttft?: number;
  total?: number;
  accepted?: number;
  toModel?: number;
  /** Durable: the stream showed the job's text only once it had ended (no partial text streamed). */
  noPartial?: boolean;
  error?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Fixtures (bench/shared/authors.ts), written before the server starts. One story per sample, so prompts stay the same.

const makeTarget = async (author: Author, title: string): Promise<Target> => (await makeStory(author, title))[0]!;

interface Fixtures {
  solo: Author;
  soloTargets: Target[];
  crowd: Author[];
  /** crowd[i]'s targets, one per round. */
  crowdTargets: Target[][];
}

async function seed(handle: DbHandle): Promise<Fixtures> {
  await runMigrations(handle);
  setDbHandle(handle);
  try {
    const solo = await makeAuthor(handle.db, "solo");
    const soloTargets: Target[] = [];
    for (let i = 0; i < WARMUP * 2 + PAIRS * 2; i++) soloTargets.push(await makeTarget(solo, `Solo ${i}`));
    const crowd: Author[] = [];
    const crowdTargets: Target[][] = [];
    for (let a = 0; a < CONCURRENT; a++) {
      const author = await makeAuthor(handle.db, `crowd${a}`);
      crowd.push(author);
      const targets: Target[] = [];
      for (let r = 0; r < ROUNDS; r++) targets.push(await makeTarget(author, `Crowd ${a}.${r}`));
      crowdTargets.push(targets);
    }
    return { solo, soloTargets, crowd, crowdTargets };
  } finally {
    setDbHandle(undefined);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The two paths.

let tagCounter = 0;
const newTag = (path: Path) => `${path === "durable" ? "d" : "p"}${++tagCounter}`;

async function durable(base: string, fake: FakeModel, author: Author, target: Target): Promise<Sample> {
  const tag = newTag("durable");
  const sample: Sample = { path: "durable", tag };
  const stream = await openStoryStream(base, target.storyId, author.secret);
  try {
    const t0 = clock();
    const res = await fetch(`${base}/api/v1/pages/${target.pageId}/generate`, {
      method: "POST",
      headers: { authorization: `Bearer ${author.secret}`, "content-type": "application/json" },
      body: JSON.stringify({ instruction: `Continue the scene. ttft-${tag}` }),
    });
    const body = (await res.json()) as { job?: { id: string } };
    sample.accepted = clock() - t0;
    const jobId = body.job?.id;
    if (res.status !== 202 || !jobId) throw new Error(`generate answered ${res.status}: ${JSON.stringify(body)}`);
    // The first text the author sees: streamed partial text, or — when the stream learned of the job only after it
    // ended — the finished text itself (counted apart: no partial text was streamed).
    const first = await stream.first(
      (e) => e.job.id === jobId && ((e.job.partialText ?? "").length > 0 || (e.job.outputText ?? "").length > 0),
      SAMPLE_TIMEOUT_MS,
    );
    const done = await stream.first(
      (e) => e.job.id === jobId && e.job.status !== "pending" && e.job.status !== "running" && e.job.resolution != null,
      SAMPLE_TIMEOUT_MS,
    );
    if (done?.job.status !== "succeeded") {
      throw new Error(`job ${jobId} ended ${done ? `${done.job.status}` : "not within the timeout"}`);
    }
    if (!first) throw new Error(`job ${jobId}: no text seen on the stream`);
    sample.ttft = first.at - t0;
    sample.noPartial = !first.job.partialText;
    sample.total = done.at - t0;
    const call = fake.calls.get(tag)?.[0];
    if (call) sample.toModel = call.arrived - t0;
  } catch (error) {
    sample.error = (error as Error).message;
  } finally {
    stream.close();
  }
  return sample;
}

async function plain(base: string, fake: FakeModel): Promise<Sample> {
  const tag = newTag("plain");
  const sample: Sample = { path: "plain", tag };
  try {
    const t0 = clock();
    const res = await fetch(`${base}/api/bench/plain-stream`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ prompt: `${CONTEXT.join("\n\n")}\n\nContinue the scene. ttft-${tag}` }),
    });
    if (res.status !== 200 || !res.body) throw new Error(`plain route answered ${res.status}: ${await res.text()}`);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (value && sample.ttft === undefined) sample.ttft = clock() - t0;
      text += value;
    }
    sample.total = clock() - t0;
    if (text.trim().split(/\s+/).length !== TOKENS) throw new Error(`plain route streamed ${JSON.stringify(text)}`);
    const call = fake.calls.get(tag)?.[0];
    if (call) sample.toModel = call.arrived - t0;
  } catch (error) {
    sample.error = (error as Error).message;
  }
  return sample;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------------------
// Statistics and report.

const quantile = (values: number[], q: number) => {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : "–");
const pick = (samples: Sample[], path: Path, key: "ttft" | "total" | "accepted" | "toModel") =>
  samples.filter((s) => s.path === path && !s.error && s[key] !== undefined).map((s) => s[key]!);

function table(title: string, samples: Sample[]): string[] {
  const row = (label: string, key: "ttft" | "total" | "toModel", bold = false) => {
    const d = pick(samples, "durable", key);
    const p = pick(samples, "plain", key);
    const b = (s: string) => (bold ? `**${s}**` : s);
    return (
      `| ${label} | ${ms(quantile(d, 0.5))} / ${ms(quantile(d, 0.95))} | ${ms(quantile(p, 0.5))} / ${ms(quantile(p, 0.95))} | ` +
      `${b((quantile(d, 0.5) / quantile(p, 0.5)).toFixed(2))} / ${b((quantile(d, 0.95) / quantile(p, 0.95)).toFixed(2))} | ` +
      `${ms(quantile(d, 0.5) - quantile(p, 0.5))} |`
    );
  };
  const accepted = pick(samples, "durable", "accepted");
  const count = (path: Path) =>
    `${samples.filter((s) => s.path === path && !s.error).length}/${samples.filter((s) => s.path === path).length}`;
  return [
    `### ${title}`,
    "",
    "| ms, p50 / p95 | durable path | plain route | ratio durable ÷ plain | durable − plain (p50) |",
    "|---|---|---|---|---|",
    row("time to first token", "ttft", true),
    row("total (answer complete; durable: text landed in the page)", "total", true),
    row("request → model called", "toModel"),
    `| durable: POST generate answered (202) | ${ms(quantile(accepted, 0.5))} / ${ms(quantile(accepted, 0.95))} | | | |`,
    `| samples ok | ${count("durable")} | ${count("plain")} | | |`,
    `| durable samples whose text showed only when the job had ended (no partial text streamed) | ${samples.filter((s) => s.path === "durable" && s.noPartial).length} | | | |`,
    "",
  ];
}

function modelChecks(fake: FakeModel, samples: Sample[]): string[] {
  const repeated = samples.filter((s) => (fake.calls.get(s.tag)?.length ?? 0) > 1).map((s) => s.tag);
  const missing = samples.filter((s) => !s.error && !fake.calls.has(s.tag)).map((s) => s.tag);
  return [
    `Model calls: ${[...fake.calls.values()].reduce((n, c) => n + c.length, 0)} tagged, ${fake.untagged} untagged;` +
      ` called more than once: ${repeated.length ? repeated.join(", ") : "none"}; samples without a model call: ${missing.length ? missing.join(", ") : "none"}.` +
      (fake.untaggedSample
        ? ` An untagged call (the app's own work, not a sample) began: ${JSON.stringify(fake.untaggedSample)}.`
        : ""),
  ];
}

// ---------------------------------------------------------------------------------------------------------------

const buildNote = ensureBuild();
const fake = await startFakeModel();
const db = await tempDatabase("ss_bench_ttft");
let exitCode = 0;
try {
  console.log(`[bench] seeding (${db.label})`);
  const handle = db.url ? openPostgres(db.url, { max: 4 }) : await openPglite(db.pgliteDir!);
  let fixtures: Fixtures;
  try {
    fixtures = await seed(handle);
  } finally {
    await handle.close();
  }
  const server = await startNext(
    db,
    {
      OPENAI_BASE_URL: fake.baseUrl,
      OPENAI_API_KEY: "bench",
      AI_MODEL: "bench-fake",
      AI_CONCURRENCY: String(AI_CONCURRENCY),
      STORY_SPROUT_BENCH_ROUTES: "1",
    },
    "ttft",
  );
  const samples: { solo: Sample[]; crowd: Sample[] } = { solo: [], crowd: [] };
  try {
    const { solo, soloTargets, crowd, crowdTargets } = fixtures;
    console.log(`[bench] next start at ${server.base} (log ${server.logFile}); warm-up`);
    for (let i = 0; i < WARMUP; i++) {
      const warm = [await durable(server.base, fake, solo, soloTargets.pop()!), await plain(server.base, fake)];
      for (const s of warm) if (s.error) console.error(`[bench] warm-up ${s.path}: ${s.error}`);
    }
    console.log(`[bench] ${PAIRS} pairs one at a time`);
    for (let i = 0; i < PAIRS; i++) {
      const order: Path[] = i % 2 === 0 ? ["durable", "plain"] : ["plain", "durable"];
      for (const path of order) {
        samples.solo.push(
          path === "durable"
            ? await durable(server.base, fake, solo, soloTargets.pop()!)
            : await plain(server.base, fake),
        );
        // Let the durable run's trailing calls (after the text landed) finish before the next request.
        await sleep(300);
      }
    }
    console.log(`[bench] ${ROUNDS} rounds of ${CONCURRENT} at once per path`);
    for (let r = 0; r < ROUNDS; r++) {
      const order: Path[] = r % 2 === 0 ? ["durable", "plain"] : ["plain", "durable"];
      for (const path of order) {
        const round = await Promise.all(
          crowd.map((author, a) =>
            path === "durable" ? durable(server.base, fake, author, crowdTargets[a]![r]!) : plain(server.base, fake),
          ),
        );
        samples.crowd.push(...round);
        await sleep(1000);
      }
    }
  } finally {
    await server.stop();
  }

  const all = [...samples.solo, ...samples.crowd];
  const errors = all.filter((s) => s.error);
  for (const s of errors.slice(0, 10)) console.error(`[bench] ${s.path} ${s.tag}: ${s.error}`);
  const soloTtft =
    quantile(pick(samples.solo, "durable", "ttft"), 0.5) / quantile(pick(samples.solo, "plain", "ttft"), 0.5);
  const crowdTtft =
    quantile(pick(samples.crowd, "durable", "ttft"), 0.5) / quantile(pick(samples.crowd, "plain", "ttft"), 0.5);
  const command = [
    ...[
      "DATABASE_URL",
      "BENCH_DATABASE_URL",
      "BENCH_PAIRS",
      "BENCH_CONCURRENT",
      "BENCH_ROUNDS",
      "BENCH_AI_CONCURRENCY",
      "BENCH_SKIP_BUILD",
    ]
      .filter((n) => process.env[n] !== undefined)
      .map((n) => `${n}=${n.endsWith("DATABASE_URL") ? "postgres://…" : process.env[n]}`),
    "npm run bench:ttft",
  ].join(" ");
  const markdown = [
    "# Time to first token: the durable path beside a plain streaming route",
    "",
    `- date: ${startedAt.toISOString()} (written at the end of the run, ${new Date().toISOString()})`,
    `- command: \`${command}\``,
    `- machine: ${machine()}`,
    `- load average (1, 5, 15 min): ${loadAtStart} at start → ${loadavg()} at end`,
    `- server: \`next start\` (${buildNote}), ${db.label}, embedded engine with its production defaults, AI_CONCURRENCY=${AI_CONCURRENCY}`,
    `- model: local fake OpenAI-compatible server (bench/ttft/fake-openai.ts), first token ${FIRST_TOKEN_MS} ms after the request, then one every ${TOKEN_INTERVAL_MS} ms, ${TOKENS} tokens; reached through OPENAI_BASE_URL + AI_MODEL like a real model`,
    "",
    "**Durable path**: the story's event stream is already open (as in the editor); the clock starts at",
    "`POST /api/v1/pages/{id}/generate`; first token = the first `job` event of that job carrying its text (partial",
    "text; or the finished text when the stream showed no partial text — counted in its own row below); total =",
    "its event saying it succeeded and the text landed. **Plain route**: `POST /api/bench/plain-stream` (served only with",
    "STORY_SPROUT_BENCH_ROUTES=1) calls `streamText` with the same model and returns `toTextStreamResponse()`; first",
    "token = first body chunk, total = end of body. Each durable sample has its own story (two written pages and the",
    "blank page to write); the plain prompt is the same two pages. Measured at the client (this process).",
    "",
    `## Result: time to first token, durable ÷ plain (p50) — one at a time ${soloTtft.toFixed(2)} (goal ≤ 1.10), ${CONCURRENT} at once ${crowdTtft.toFixed(2)} (goal ≤ 1.5)`,
    "",
    ...table(`One at a time (${PAIRS} interleaved pairs, order alternating)`, samples.solo),
    ...table(
      `${CONCURRENT} at once (${ROUNDS} rounds per path, alternating; one author and story per request)`,
      samples.crowd,
    ),
    ...modelChecks(fake, all),
    "",
    ...(errors.length
      ? ["## Failed samples", "", ...errors.slice(0, 20).map((s) => `- ${s.path} ${s.tag}: ${s.error}`), ""]
      : []),
    `${WARMUP} warm-up pairs are not counted. Timings on a shared machine are noisy: compare the two paths within one run.`,
    "",
  ].join("\n");
  fs.mkdirSync("bench/results", { recursive: true });
  fs.writeFileSync("bench/results/ttft.md", markdown);
  console.log(`\n${markdown}`);
  if (errors.length) exitCode = 1;
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  await fake.close();
  await db.drop();
}
process.exit(exitCode);
