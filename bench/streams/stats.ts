/** The pure parts of the stream benchmark (bench/streams/run.ts): latency summaries and the report. */

export interface LatencySummary {
  samples: number;
  failures: number;
  p50: number;
  p95: number;
  max: number;
}

/** The nearest-rank percentile of `values` (milliseconds), 0 for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function summarize(latencies: readonly number[], failures: number): LatencySummary {
  return {
    samples: latencies.length,
    failures,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    max: latencies.length ? Math.max(...latencies) : 0,
  };
}

export interface StreamsReport {
  date: string;
  machine: string;
  command: string;
  server: string;
  loadStart: string;
  loadEnd: string;
  users: number;
  streamsWanted: number;
  streamsOpen: number;
  streamsRefused: number;
  /** Status of the one stream asked beyond the per-user cap, and of the one beyond the per-process cap. */
  overUserCap: number | null;
  overProcessCap: number | null;
  /** `job` events received before measuring (each stream's first view of its story's running job). */
  eventsAtOpen: number;
  /** `job` events received on the open streams while /sign-in was measured. */
  eventsDuringMeasure: number;
  idle: LatencySummary;
  loaded: LatencySummary;
  /** Again with no stream open, after closing them: how much of the difference is the machine's noise. */
  after: LatencySummary;
}

const ms = (n: number) => `${Math.round(n)} ms`;

export function renderReport(r: StreamsReport): string {
  const row = (name: string, s: LatencySummary) =>
    `| ${name} | ${s.samples} (${s.failures} failed) | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.max)} |`;
  return [
    "# Story event streams: the app stays responsive under the cap",
    "",
    `- date: ${r.date}`,
    `- machine: ${r.machine}`,
    `- load (/proc/loadavg) at start: ${r.loadStart}; at end: ${r.loadEnd}`,
    `- command: \`${r.command}\``,
    `- server: ${r.server}`,
    `- streams: ${r.streamsOpen} of ${r.streamsWanted} open (${r.streamsRefused} refused), one story each, spread over ${r.users} users (personal API tokens); one beyond a user's cap answered ${r.overUserCap ?? "—"}, one beyond the process cap answered ${r.overProcessCap ?? "—"}`,
    `- \`job\` events received: ${r.eventsAtOpen} on opening (each story's running job), ${r.eventsDuringMeasure} while /sign-in was measured (nothing changed; each story was still read every second)`,
    "",
    "`GET /sign-in`, one request at a time, same run:",
    "",
    "| streams open | requests | p50 | p95 | max |",
    "|---|---|---|---|---|",
    row("0", r.idle),
    row(String(r.streamsOpen), r.loaded),
    row("0 (after closing them)", r.after),
    "",
  ].join("\n");
}
