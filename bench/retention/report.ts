import fs from "node:fs";
import path from "node:path";
import type { SweepResult } from "@/lib/inngest/embedded/retention";
import type { HotSamples } from "./hot";
import { mb, type TableSize } from "./sizes";

export interface RetentionReport {
  date: string;
  machine: string;
  server: string;
  loadStart: string;
  loadEnd: string;
  command: string;
  events: number;
  steps: number;
  fillS: number;
  purgeS: number;
  result: SweepResult;
  expected: { runs: number; steps: number; attempts: number; events: number };
  liveOldRunsKept: number;
  batches: { kind: string; rows: number; ms: number }[];
  hot: { idle: HotSamples; during: HotSamples; after: HotSamples };
  sizes: { before: TableSize[]; afterPurge: TableSize[]; afterVacuum: TableSize[]; afterFull: TableSize[] };
  plans: string[];
}

function percentile(values: readonly number[], p: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;
}

const f = (n: number, digits = 2) => n.toFixed(digits);
const int = (n: number) => Math.round(n).toLocaleString("en-US");

function hotRows(r: RetentionReport): string[] {
  const row = (query: string, key: keyof HotSamples) => {
    const [idle, during, after] = [r.hot.idle[key], r.hot.during[key], r.hot.after[key]];
    const cell = (v: number[]) => `${f(percentile(v, 50))} / ${f(percentile(v, 95))} (${v.length})`;
    return `| ${query} | ${cell(idle)} | ${cell(during)} | ${cell(after)} | ${f(percentile(during, 50) / percentile(idle, 50))} / ${f(percentile(during, 95) / percentile(idle, 95))} |`;
  };
  return [
    "| hot query | without purge p50 / p95 ms (n) | during purge p50 / p95 ms (n) | after purge p50 / p95 ms (n) | ratio during / without, p50 / p95 |",
    "|---|---:|---:|---:|---:|",
    row("event received (intake transaction)", "event"),
    row("claim of 16 due items", "claim"),
  ];
}

function sizeRows(r: RetentionReport): string[] {
  const { before, afterPurge, afterVacuum, afterFull } = r.sizes;
  const cell = (s: TableSize) => `${int(s.rows)} rows, ${mb(s.tableBytes)} + ${mb(s.indexBytes)}`;
  const total = (list: TableSize[]) =>
    `${mb(list.reduce((a, s) => a + s.tableBytes, 0))} + ${mb(list.reduce((a, s) => a + s.indexBytes, 0))}`;
  return [
    "| table | before: rows, table + indexes | after the purge | after VACUUM | after VACUUM FULL |",
    "|---|---:|---:|---:|---:|",
    ...before.map(
      (s, i) =>
        `| ${s.table} | ${cell(s)} | ${cell(afterPurge[i]!)} | ${cell(afterVacuum[i]!)} | ${cell(afterFull[i]!)} |`,
    ),
    `| all | ${total(before)} | ${total(afterPurge)} | ${total(afterVacuum)} | ${total(afterFull)} |`,
  ];
}

export function writeReport(r: RetentionReport): void {
  const runBatches = r.batches.filter((b) => b.kind === "runs");
  const eventBatches = r.batches.filter((b) => b.kind === "events");
  const deleted = r.result.runs + r.result.steps + r.result.attempts + r.result.queueItems + r.result.events;
  const busyS = r.batches.reduce((a, b) => a + b.ms, 0) / 1000;
  const batchLine = (label: string, list: { rows: number; ms: number }[]) =>
    `| ${label} | ${list.length} | ${int(list.reduce((a, b) => a + b.rows, 0))} | ${f(
      percentile(
        list.map((b) => b.ms),
        50,
      ),
      1,
    )} | ${f(
      percentile(
        list.map((b) => b.ms),
        95,
      ),
      1,
    )} | ${f(Math.max(...list.map((b) => b.ms)), 1)} |`;
  const ok =
    r.result.runs === r.expected.runs && r.result.steps === r.expected.steps && r.result.events === r.expected.events;
  const text = [
    "# Retention on a million events (bench:retention)",
    "",
    `Run ${r.date} on ${r.machine}; ${r.server}.`,
    `Load at start: \`${r.loadStart}\``,
    `Load at end: \`${r.loadEnd}\``,
    "",
    `Command: \`${r.command}\`.`,
    "",
    `Filled with generate_series in ${f(r.fillS, 0)} s: ${int(r.events)} events, each with its run, ${r.steps} step(s) and as many calls per run`,
    "(90% of them 40 days old, 10% a day old; one old run in 100 still running), plus 1,000 running runs with a due",
    "queue item for the claim. One retention sweep with 30 days and the engine's defaults (1,000 runs or events a",
    "transaction, 100 ms pause between batches, the purge lock taken per batch) and a beforePurge hook that receives each",
    "batch with its steps and calls loaded (the app's copy into `ai_jobs.engine_trace` is not part of this figure).",
    "",
    "## Purge",
    "",
    `- Deleted ${int(r.result.runs)} runs, ${int(r.result.steps)} steps, ${int(r.result.attempts)} calls, ${int(r.result.events)} events (${int(deleted)} rows) in ${f(r.purgeS, 1)} s: **${int(deleted / r.purgeS)} rows/s** wall clock including the pauses, ${int(deleted / busyS)} rows/s inside the transactions (${f(busyS, 1)} s).`,
    `- Expected ${int(r.expected.runs)} runs, ${int(r.expected.steps)} steps, ${int(r.expected.events)} events: ${ok ? "matched" : "**did not match**"}; old runs still running kept: ${int(r.liveOldRunsKept)}.`,
    "",
    "| batches | count | rows | p50 ms | p95 ms | max ms |",
    "|---|---:|---:|---:|---:|---:|",
    batchLine("runs (+ steps, calls, queue items)", runBatches),
    batchLine("events", eventBatches),
    "",
    "## Hot queries beside the purge",
    "",
    `One event received, then one claim, every ${20} ms on their own connections: ${r.hot.idle.claim.length > 0 ? "" : "(no samples) "}for the`,
    "reference period before the purge, during the whole purge, and for the same period after it.",
    "",
    ...hotRows(r),
    "",
    "## Sizes (heap with TOAST + indexes)",
    "",
    ...sizeRows(r),
    "",
    "A purge frees space for new rows (after autovacuum, or the plain VACUUM here) but does not shrink the files;",
    "only VACUUM FULL (an exclusive lock; the engine never runs it) returns it to the operating system.",
    "",
    "## Query plans of the batch selections (EXPLAIN, costs off, before the purge)",
    "",
    ...r.plans.map((p) => `- \`${p}\``),
    "",
  ].join("\n");
  const file = path.join(process.cwd(), "bench/results/retention.md");
  fs.writeFileSync(file, text);
  console.log(text);
}
