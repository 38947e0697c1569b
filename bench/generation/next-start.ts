/**
 * bench:generation's production path: Generate as `next start` serves it — the built app, its own embedded engine
 * calling /api/inngest (production defaults; AI_CONCURRENCY as given to this process, else the app's default), a
 * local OpenAI-compatible fake model reached through OPENAI_BASE_URL (bench/ttft/fake-openai.ts: 200 ms to the first
 * token, 60 tokens 10 ms apart), requests through the REST API (POST /api/v1/pages/{id}/generate) and the page
 * written observed on the story's event stream (the event saying the job succeeded and its text landed).
 * Overhead = end-to-end − the model's own time (request arrival → end of its stream, at the fake model).
 * Passes: BENCH_NEXT_SEQ_JOBS [20] one at a time, BENCH_NEXT_JOBS [50] at once (BENCH_NEXT_STORIES [10] stories).
 */

import { setDbHandle } from "@/db";
import { openPglite, openPostgres } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { type Author, makeAuthor, makeStory, type Target } from "../shared/authors";
import { ensureBuild, loadavg, startNext, tempDatabase } from "../shared/next-app";
import { clock, type FakeModel, startFakeModel } from "../ttft/fake-openai";
import { openStoryStream, type StoryStream } from "../ttft/story-stream";

const SEQ_JOBS = Number(process.env.BENCH_NEXT_SEQ_JOBS ?? 20);
const CONC_JOBS = Number(process.env.BENCH_NEXT_JOBS ?? 50);
const STORIES = Number(process.env.BENCH_NEXT_STORIES ?? 10);
const WARMUP = 3;
const TIMEOUT_MS = 180_000;

interface Sample {
  e2e?: number;
  model?: number;
  accepted?: number;
  error?: string;
}

export interface NextPass {
  mode: "sequential" | "concurrent";
  jobs: number;
  samples: Sample[];
  seconds: number;
  load: [string, string];
  /** The server process's CPU per job (ms), from the gated /api/bench/engine. */
  cpuPerJobMs: number;
  repeatedModelCalls: number;
}

export interface NextResult {
  db: string;
  build: string;
  aiConcurrency: string;
  passes: NextPass[];
}

let counter = 0;

async function generate(base: string, fake: FakeModel, author: Author, target: Target, stream: StoryStream) {
  const tag = `g${++counter}`;
  const sample: Sample = {};
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
    const done = await stream.first(
      (e) => e.job.id === jobId && e.job.status !== "pending" && e.job.status !== "running" && e.job.resolution != null,
      TIMEOUT_MS,
    );
    if (done?.job.status !== "succeeded") throw new Error(`job ${jobId} ended ${done?.job.status ?? "late"}`);
    sample.e2e = done.at - t0;
    const calls = fake.calls.get(tag) ?? [];
    sample.model = calls.reduce((sum, c) => sum + ((c.ended ?? c.arrived) - c.arrived), 0);
  } catch (error) {
    sample.error = (error as Error).message;
  }
  return { tag, sample };
}

async function serverCpu(base: string): Promise<number> {
  const res = await fetch(`${base}/api/bench/engine`);
  const { cpu } = (await res.json()) as { cpu: { user: number; system: number } };
  return (cpu.user + cpu.system) / 1000;
}

export async function productionPath(): Promise<NextResult | string> {
  const build = ensureBuild();
  const fake = await startFakeModel();
  const db = await tempDatabase("ss_bench_generation_next");
  const streams: StoryStream[] = [];
  try {
    const handle = db.url ? openPostgres(db.url, { max: 4 }) : await openPglite(db.pgliteDir!);
    let author: Author;
    const seq: Target[] = [];
    const conc: Target[] = [];
    try {
      await runMigrations(handle);
      setDbHandle(handle);
      author = await makeAuthor(handle.db, "generation");
      seq.push(...(await makeStory(author, "Sequential", WARMUP + SEQ_JOBS)));
      const perStory = Math.max(1, Math.round(CONC_JOBS / STORIES));
      for (let s = 0; s < STORIES; s++) conc.push(...(await makeStory(author, `Concurrent ${s + 1}`, perStory)));
    } finally {
      setDbHandle(undefined);
      await handle.close();
    }
    const env: Record<string, string> = {
      OPENAI_BASE_URL: fake.baseUrl,
      OPENAI_API_KEY: "bench",
      AI_MODEL: "bench-fake",
      STORY_SPROUT_BENCH_ROUTES: "1",
      ...(process.env.AI_CONCURRENCY ? { AI_CONCURRENCY: process.env.AI_CONCURRENCY } : {}),
    };
    const server = await startNext(db, env, "generation");
    try {
      const base = server.base;
      // Only the stories of the pass in progress have a stream open (each open story is read once a second).
      const streamOf = new Map<string, StoryStream>();
      const openStreams = async (targets: Target[]) => {
        for (const s of streams.splice(0)) s.close();
        streamOf.clear();
        for (const storyId of new Set(targets.map((t) => t.storyId))) {
          const stream = await openStoryStream(base, storyId, author.secret);
          streams.push(stream);
          streamOf.set(storyId, stream);
        }
      };
      const run = (t: Target) => generate(base, fake, author, t, streamOf.get(t.storyId)!);
      await openStreams(seq);
      for (const t of seq.splice(0, WARMUP)) await run(t);
      const passes: NextPass[] = [];
      for (const mode of ["sequential", "concurrent"] as const) {
        const targets = mode === "sequential" ? seq : conc;
        await openStreams(targets);
        const loadBefore = loadavg();
        const cpuBefore = await serverCpu(base);
        const started = clock();
        let results: { tag: string; sample: Sample }[] = [];
        if (mode === "sequential") {
          for (const t of targets) {
            results.push(await run(t));
            await new Promise((r) => setTimeout(r, 300));
          }
        } else results = await Promise.all(targets.map(run));
        const seconds = (clock() - started) / 1000;
        passes.push({
          mode,
          jobs: targets.length,
          samples: results.map((r) => r.sample),
          seconds,
          load: [loadBefore, loadavg()],
          cpuPerJobMs: ((await serverCpu(base)) - cpuBefore) / targets.length,
          repeatedModelCalls: results.filter((r) => (fake.calls.get(r.tag)?.length ?? 0) > 1).length,
        });
      }
      return { db: db.label, build, aiConcurrency: process.env.AI_CONCURRENCY ?? "the app's default", passes };
    } finally {
      for (const s of streams) s.close();
      await server.stop();
    }
  } catch (error) {
    console.error(error);
    return `production path failed: ${(error as Error).message.split("\n")[0]}`;
  } finally {
    await fake.close();
    await db.drop();
  }
}

const quantile = (values: number[], q: number) => {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const mp = (values: number[]) => `${quantile(values, 0.5).toFixed(0)} (${quantile(values, 0.95).toFixed(0)})`;

export function productionReport(result: NextResult | string): string[] {
  const head = ["## Production path: `next start`", ""];
  if (typeof result === "string") return [...head, `- ${result}`, ""];
  const ok = (p: NextPass) => p.samples.filter((s) => !s.error);
  const col = (f: (p: NextPass) => string) => result.passes.map(f).join(" | ");
  const failures = result.passes.flatMap((p) => p.samples.filter((s) => s.error).map((s) => s.error!));
  return [
    ...head,
    "The built app under `next start` (" +
      result.build +
      `), ${result.db}, its own engine calling /api/inngest with production defaults, AI_CONCURRENCY = ${result.aiConcurrency}.`,
    "Model: the local OpenAI-compatible fake of bench:ttft (200 ms to the first token, then 60 tokens 10 ms apart),",
    "configured as a real model is (OPENAI_BASE_URL + AI_MODEL). A job = `POST /api/v1/pages/{id}/generate` (API token)",
    "→ the story's event stream says it succeeded and its text landed in the page. Overhead = end-to-end − the model's",
    "own time (at the fake model: request arrival → end of its stream). Medians, p95 in brackets.",
    "",
    `| | ${col((p) => (p.mode === "sequential" ? "one at a time" : `${p.jobs} at once`))} |`,
    `|---|${result.passes.map(() => "---").join("|")}|`,
    `| Jobs ok / requested | ${col((p) => `${ok(p).length} / ${p.jobs}`)} |`,
    `| **Overhead** = end-to-end − model (ms) | ${col((p) => `**${mp(ok(p).map((s) => s.e2e! - s.model!))}**`)} |`,
    `| End-to-end: request → page written, seen on the stream (ms) | ${col((p) => mp(ok(p).map((s) => s.e2e!)))} |`,
    `| Model's own time (ms) | ${col((p) => mp(ok(p).map((s) => s.model!)))} |`,
    `| POST generate answered (ms) | ${col((p) => mp(ok(p).map((s) => s.accepted!)))} |`,
    `| Throughput (jobs / s) | ${col((p) => (ok(p).length / p.seconds).toFixed(2))} |`,
    `| Server process CPU per job (ms) | ${col((p) => p.cpuPerJobMs.toFixed(1))} |`,
    `| Jobs whose model was called more than once | ${col((p) => String(p.repeatedModelCalls))} |`,
    `| Machine load average (1 min) at start → end of the pass | ${col((p) => `${p.load[0].split(",")[0]} → ${p.load[1].split(",")[0]}`)} |`,
    "",
    ...(failures.length ? [`Failed jobs: ${failures.slice(0, 5).join("; ")}`, ""] : []),
  ];
}

export function productionFailed(result: NextResult | string): boolean {
  return (
    typeof result === "string" || result.passes.some((p) => p.samples.some((s) => s.error) || p.repeatedModelCalls > 0)
  );
}
