/**
 * What every bench:peers driver shares: the workload (a run of three no-op steps), how a step body records itself,
 * the two phases, and the one JSON line a driver prints for run.ts. No dependency beyond Node: the app's engine
 * driver imports this file too.
 */

import { type CpuShares, profiled } from "./profile";

export const STEPS = ["s1", "s2", "s3"] as const;
export const WARMUP_RUNS = 20;
export const LATENCY_RUNS = Number(process.env.BENCH_LATENCY_RUNS ?? 30);
export const LOAD_RUNS = Number(process.env.BENCH_RUNS ?? 500);
/** Workers / concurrency given to each system whose runner takes one (the engine's and graphile-worker's). */
export const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
export const RESULT_PREFIX = "PEER_RESULT ";

/** Per run: when each step body started and ended (performance.now()), and how often each step body ran. */
export class StepLog {
  readonly marks = new Map<string, { start: number; end: number }[]>();
  readonly executions = new Map<string, number>();

  /** The body of every step of every system: records itself and does nothing else. */
  record(runId: string, step: string): void {
    const start = performance.now();
    const key = `${runId}:${step}`;
    this.executions.set(key, (this.executions.get(key) ?? 0) + 1);
    const list = this.marks.get(runId) ?? [];
    list.push({ start, end: performance.now() });
    this.marks.set(runId, list);
  }

  clear(): void {
    this.marks.clear();
    this.executions.clear();
  }

  /** End of one step body → start of the next, for every run: what the system adds per step. */
  gaps(): number[] {
    const gaps: number[] = [];
    for (const list of this.marks.values()) {
      for (let i = 1; i < list.length; i++) gaps.push(list[i]!.start - list[i - 1]!.end);
    }
    return gaps;
  }

  /** Runs that ran a step body more than once, and step bodies that never ran, for `runs` expected runs. */
  check(runs: number): { executions: number; duplicates: number; lost: number; runsComplete: number } {
    const executions = [...this.executions.values()].reduce((a, b) => a + b, 0);
    const duplicates = [...this.executions.values()].filter((n) => n > 1).length;
    const runsComplete = [...this.marks.values()].filter((list) => list.length >= STEPS.length).length;
    return { executions, duplicates, lost: runs * STEPS.length - this.executions.size, runsComplete };
  }
}

export const quantile = (values: number[], q: number): number => {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};

export interface PeerResult {
  system: string;
  version: string;
  /** How the system runs the workload, for the report. */
  setup: string;
  gapP50: number;
  gapP95: number;
  runP50: number;
  runP95: number;
  runsPerSecond: number;
  loadSeconds: number;
  loadGapP50: number;
  loadGapP95: number;
  cpuPerRunMs: number;
  completed: number;
  executions: number;
  duplicates: number;
  lost: number;
  /** BENCH_PROFILE=1: where the load phase's busy time went (profile.ts); the other figures are then profiled ones. */
  cpuShares?: CpuShares;
  /** BENCH_PROFILE=1: the share of the load phase's samples in which the process was idle. */
  idlePercent?: number;
}

/**
 * The measurement, the same for every system: `start(n)` starts n runs at once and resolves once all n completed.
 * Warm-up runs first (not measured), then LATENCY_RUNS runs one after the other, then LOAD_RUNS at once.
 */
export async function measure(
  log: StepLog,
  start: (n: number) => Promise<void>,
  describe: Pick<PeerResult, "system" | "version" | "setup">,
): Promise<PeerResult> {
  await start(WARMUP_RUNS);
  log.clear();
  const runDurations: number[] = [];
  for (let i = 0; i < LATENCY_RUNS; i++) {
    const before = performance.now();
    await start(1);
    runDurations.push(performance.now() - before);
  }
  const latencyGaps = log.gaps();
  const latencyCheck = log.check(LATENCY_RUNS);
  log.clear();

  const cpuBefore = process.cpuUsage();
  const began = performance.now();
  const { profile } = await profiled(() => start(LOAD_RUNS));
  const seconds = (performance.now() - began) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  // Late duplicates would show up after completion: give them a moment.
  await new Promise((r) => setTimeout(r, 500));
  const loadCheck = log.check(LOAD_RUNS);
  const loadGaps = log.gaps();
  return {
    ...describe,
    gapP50: quantile(latencyGaps, 0.5),
    gapP95: quantile(latencyGaps, 0.95),
    runP50: quantile(runDurations, 0.5),
    runP95: quantile(runDurations, 0.95),
    runsPerSecond: LOAD_RUNS / seconds,
    loadSeconds: seconds,
    loadGapP50: quantile(loadGaps, 0.5),
    loadGapP95: quantile(loadGaps, 0.95),
    cpuPerRunMs: (cpu.user + cpu.system) / 1000 / LOAD_RUNS,
    completed: loadCheck.runsComplete,
    executions: loadCheck.executions + latencyCheck.executions,
    duplicates: loadCheck.duplicates + latencyCheck.duplicates,
    lost: loadCheck.lost + latencyCheck.lost,
    ...(profile ? { cpuShares: profile.shares, idlePercent: profile.idlePercent } : {}),
  };
}

export function printResult(result: PeerResult): void {
  console.log(`${RESULT_PREFIX}${JSON.stringify(result)}`);
}

export function databaseUrl(): string {
  const url = process.env.PEER_DATABASE_URL;
  if (!url) throw new Error("PEER_DATABASE_URL is not set (run.ts gives each driver a fresh database)");
  return url;
}
