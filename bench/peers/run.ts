/**
 * Peer benchmark (`npm run bench:peers`): the same 3-step no-op workload on Story Sprout's embedded engine, DBOS
 * Transact and graphile-worker, on the same PostgreSQL, in one run, each system in its own Node process (so that
 * process.cpuUsage() is its own) and its own fresh database (created and dropped here).
 *
 * Per system: 20 warm-up runs; BENCH_LATENCY_RUNS [30] runs one at a time → per-step overhead (end of one step body
 * → start of the next) and run time, p50/p95; BENCH_RUNS [500] runs started at once → completed runs/s, per-step
 * overhead under load, Node CPU per run; and a check that every step body ran exactly once (no duplicates, none lost).
 *
 * The peers are not app dependencies: they live in bench/peers/package.json with its own lockfile, installed here
 * (`npm ci --prefix bench/peers`) when bench/peers/node_modules is missing. Not run in CI.
 * PostgreSQL server: BENCH_DATABASE_URL or DATABASE_URL (any database on it), else postgres://postgres@127.0.0.1:5432/postgres.
 * BENCH_PEERS=engine,engine-steps,dbos,graphile picks and orders the systems (engine-steps: the engine with
 * checkpointing off, one step per call). Results: bench/results/peers.md.
 * BENCH_PROFILE=1 also profiles each system's load phase and says where its time went, by package (profile.ts); the
 * profiler slows every system, so that run goes to bench/results/peers-profile.md instead.
 */
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { CONCURRENCY, LATENCY_RUNS, LOAD_RUNS, type PeerResult, RESULT_PREFIX } from "./common";

const ROOT = process.cwd();
const PEERS_DIR = path.join(ROOT, "bench/peers");
const SERVER_URL =
  process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const DRIVER_TIMEOUT_MS = 240_000;
const LOAD_AT_START = os.loadavg() as [number, number, number];
const startedAt = new Date();

const DRIVERS: Record<string, { file: string; args: string[]; env?: Record<string, string> }> = {
  engine: { file: "bench/engine/peers-driver.ts", args: ["--conditions=react-server"] },
  // The same engine without checkpointing (one step per call), as it ran before: the side-by-side for that change.
  "engine-steps": {
    file: "bench/engine/peers-driver.ts",
    args: ["--conditions=react-server"],
    env: { BENCH_ENGINE_CHECKPOINTING: "0" },
  },
  dbos: { file: "bench/peers/dbos.ts", args: [] },
  graphile: { file: "bench/peers/graphile.ts", args: [] },
};
type DriverName = string;

function chosen(): DriverName[] {
  const names = (process.env.BENCH_PEERS ?? "engine,engine-steps,dbos,graphile").split(",").map((s) => s.trim());
  for (const n of names) if (!(n in DRIVERS)) throw new Error(`BENCH_PEERS: unknown system ${n}`);
  return names as DriverName[];
}

function installPeers() {
  if (fs.existsSync(path.join(PEERS_DIR, "node_modules"))) return;
  console.log("[bench] installing the peer libraries: npm ci --prefix bench/peers");
  const result = spawnSync("npm", ["ci", "--prefix", "bench/peers", "--no-audit", "--no-fund"], {
    cwd: ROOT,
    stdio: "inherit",
  });
  if (result.status !== 0) throw new Error("npm ci --prefix bench/peers failed");
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function runDriver(name: DriverName): Promise<PeerResult> {
  const dbName = `ss_bench_peers_${name}_${crypto.randomBytes(3).toString("hex")}`;
  const admin = postgres(SERVER_URL, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  await admin.unsafe(`create database "${dbName}"`);
  try {
    const driver = DRIVERS[name]!;
    console.log(`[bench] ${name}: database ${dbName}`);
    const child = spawn("node_modules/.bin/tsx", [...driver.args, driver.file], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...driver.env,
        PEER_DATABASE_URL: withDatabase(SERVER_URL, dbName),
        NODE_ENV: "production",
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), DRIVER_TIMEOUT_MS);
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    clearTimeout(timer);
    const line = output.split("\n").find((l) => l.startsWith(RESULT_PREFIX));
    if (!line) throw new Error(`${name} driver exited ${code} without a result:\n${output.slice(-2000)}`);
    return JSON.parse(line.slice(RESULT_PREFIX.length)) as PeerResult;
  } finally {
    await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
    await admin.end();
  }
}

const f1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : "–");
const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? (a / b).toFixed(2) : "–");

function report(results: PeerResult[], failures: string[], loadAtEnd: number[]): string {
  const engine = results.find((r) => r.system.startsWith("Story Sprout"));
  const peers = results.filter((r) => r !== engine);
  const cell = (f: (r: PeerResult) => string) => results.map(f).join(" | ");
  const ratioRows: string[] = [];
  if (engine) {
    for (const p of peers) {
      ratioRows.push(
        `| engine vs ${p.system} | ${ratio(p.gapP50, engine.gapP50)} | ${ratio(engine.runsPerSecond, p.runsPerSecond)} | ${ratio(engine.cpuPerRunMs, p.cpuPerRunMs)} |`,
      );
    }
  }
  const command = [
    ...["BENCH_RUNS", "BENCH_LATENCY_RUNS", "BENCH_CONCURRENCY", "BENCH_PEERS", "BENCH_PROFILE"]
      .filter((n) => process.env[n] !== undefined)
      .map((n) => `${n}=${process.env[n]}`),
    "npm run bench:peers",
  ].join(" ");
  return [
    "# Peer benchmark: the embedded engine beside DBOS Transact and graphile-worker",
    "",
    `- date: ${startedAt.toISOString()} (written when the run ended, ${new Date().toISOString()})`,
    `- command: \`${command}\``,
    `- machine: ${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? "CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}, Node ${process.version}`,
    `- load average (1, 5, 15 min): ${LOAD_AT_START.map((l) => l.toFixed(2)).join(", ")} at start → ${loadAtEnd.map((l) => l.toFixed(2)).join(", ")} at end`,
    `- PostgreSQL: ${new URL(SERVER_URL).host}, a fresh database per system; each system in its own Node process`,
    "",
    `The workload: a run of three no-op steps. ${WARMUP_NOTE} Per-step overhead = end of one step body → start of the`,
    "next (what the system adds between steps: recording the result, scheduling and starting the next step).",
    `One at a time: ${LATENCY_RUNS} runs in a row. Under load: ${LOAD_RUNS} runs started at once; runs/s = ${LOAD_RUNS} ÷ time until`,
    "the last completed. Node CPU = process.cpuUsage() of the system's process during the load phase ÷ runs",
    "(PostgreSQL's own CPU not included). p50, p95 in brackets.",
    "",
    `| | ${results.map((r) => `${r.system} (${r.version})`).join(" | ")} |`,
    `|---|${results.map(() => "---").join("|")}|`,
    `| How | ${cell((r) => r.setup)} |`,
    `| Per-step overhead, one run at a time (ms) | ${cell((r) => `**${f1(r.gapP50)}** (${f1(r.gapP95)})`)} |`,
    `| 3-step run, start → completed, one at a time (ms) | ${cell((r) => `${f1(r.runP50)} (${f1(r.runP95)})`)} |`,
    `| ${LOAD_RUNS} concurrent runs: completed runs / s | ${cell((r) => `**${r.runsPerSecond.toFixed(1)}**`)} |`,
    `| ${LOAD_RUNS} concurrent runs: total time (s) | ${cell((r) => r.loadSeconds.toFixed(2))} |`,
    `| Per-step overhead with ${LOAD_RUNS} runs in flight (ms) | ${cell((r) => `${f1(r.loadGapP50)} (${f1(r.loadGapP95)})`)} |`,
    `| Node CPU per run (ms) | ${cell((r) => `**${f1(r.cpuPerRunMs)}**`)} |`,
    `| Runs completed (of ${LOAD_RUNS}) | ${cell((r) => String(r.completed))} |`,
    `| Step executions (expected ${(LOAD_RUNS + LATENCY_RUNS) * 3}) / duplicated / lost | ${cell((r) => `${r.executions} / ${r.duplicates} / ${r.lost}`)} |`,
    "",
    "## Ratios",
    "",
    "Per-step overhead: peer ÷ engine (≥ 1.0 = the engine is at least as fast). Runs/s: engine ÷ peer (≥ 1.0 = on par",
    "or better). CPU per run: engine ÷ peer (the goal is ≤ 2.0 against DBOS).",
    "",
    "| | per-step overhead (p50) | runs/s | Node CPU per run |",
    "|---|---|---|---|",
    ...(ratioRows.length ? ratioRows : ["| (the engine or its peers did not run) | | | |"]),
    "",
    ...profileSection(results),
    ...(failures.length ? ["## Failures", "", ...failures.map((f) => `- ${f}`), ""] : []),
    `Configuration: engine workers and graphile-worker concurrency = ${CONCURRENCY} (BENCH_CONCURRENCY; the engine's`,
    "production default is 16); DBOS starts every workflow at once (direct starts have no worker limit); every system",
    "has a pool of 10 connections. graphile-worker is a job queue: its run is three chained jobs, each task adding the",
    "next job after its body (not in the same transaction as its completion), so it promises less than the other two.",
    "Timings on a shared machine are noisy: compare within one run.",
    "",
  ].join("\n");
}

/** BENCH_PROFILE=1: each system's load phase by category (profile.ts), systems side by side. */
function profileSection(results: PeerResult[]): string[] {
  const profiledResults = results.filter((r) => r.cpuShares);
  if (!profiledResults.length) return [];
  const categories = [...new Set(profiledResults.flatMap((r) => r.cpuShares!.map(([c]) => c)))];
  const share = (r: PeerResult, c: string) => r.cpuShares!.find(([name]) => name === c)?.[1] ?? 0;
  const largest = (c: string) => Math.max(...profiledResults.map((r) => share(r, c)));
  categories.sort((a, b) => largest(b) - largest(a));
  return [
    "## Where the load phase's time goes (BENCH_PROFILE=1)",
    "",
    "Share of each process's busy profiler samples during the load phase (idle excluded), by the innermost frame of a",
    "known package or of the engine's code (bench/peers/profile.ts); ms per run = share × that system's Node CPU per run",
    "above. The profiler slows every system, so this run's other figures are profiled ones: the plain run is",
    "bench/results/peers.md. The ms are approximate: the shares are of the main thread's samples, the CPU time is the",
    "whole process's (thread pool and GC threads too). Socket writes are counted on wall time, so they may include",
    "time the core spent on a PostgreSQL backend the write woke.",
    "",
    `| category | ${profiledResults.map((r) => r.system).join(" | ")} |`,
    `|---|${profiledResults.map(() => "---").join("|")}|`,
    ...categories.map(
      (c) =>
        `| ${c} | ${profiledResults.map((r) => `${share(r, c).toFixed(1)} % (${((share(r, c) / 100) * r.cpuPerRunMs).toFixed(2)} ms)`).join(" | ")} |`,
    ),
    `| *idle: share of all samples, not counted above* | ${profiledResults.map((r) => `${(r.idlePercent ?? 0).toFixed(1)} %`).join(" | ")} |`,
    "",
  ];
}

const WARMUP_NOTE = "20 warm-up runs per system are not counted.";

installPeers();
const results: PeerResult[] = [];
const failures: string[] = [];
for (const name of chosen()) {
  try {
    const result = await runDriver(name);
    console.log(`[bench] ${name}: ${JSON.stringify(result)}`);
    results.push(result);
  } catch (error) {
    console.error(error);
    failures.push(`${name}: ${(error as Error).message.split("\n")[0]}`);
  }
}
const markdown = report(results, failures, os.loadavg());
fs.mkdirSync("bench/results", { recursive: true });
// A profiled run's figures are slowed by the profiler: they go beside the plain results, not over them.
fs.writeFileSync(
  process.env.BENCH_PROFILE === "1" ? "bench/results/peers-profile.md" : "bench/results/peers.md",
  markdown,
);
console.log(`\n${markdown}`);
const bad = failures.length > 0 || results.some((r) => r.duplicates > 0 || r.lost > 0 || r.completed !== LOAD_RUNS);
process.exit(bad ? 1 : 0);
