/*
 * A transaction's BEGIN sent with its first statement (`npm run bench:transactions`). db/reserved-transactions.ts
 * no longer waits for a plain BEGIN's answer before running the callback: BEGIN leaves in the same write as the
 * first statement, a round trip less per transaction. A BEGIN with a mode is still answered first (PostgreSQL could
 * refuse the mode on its own), which is exactly how every BEGIN was sent before: `begin("read write", …)` (the
 * default mode, so the same transaction) is the previous behaviour, through the same production wrapper.
 *
 * The transaction has the shape of Generate's admission: a lock and the look under it (sent together), a read, an
 * insert. Measured on a fresh PostgreSQL database (BENCH_DATABASE_URL / DATABASE_URL's server, created and dropped;
 * default postgres://postgres@127.0.0.1:5432/postgres): BENCH_ROUNDS [15] rounds, each running both variants
 * BENCH_TX [300] times in turn (the order alternates), one at a time and then 8 at once. Reported: wall time per
 * transaction, p50 and p95 over every transaction of a variant, and the ratio pipelined ÷ awaited.
 * Results: bench/results/transactions.md.
 */
import fs from "node:fs";
import type { Sql, TransactionSql } from "postgres";
import { machineWithVersions, withFreshPostgres } from "./shared/bench-db";
import { loadavg } from "./shared/load";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const PER_ROUND = Number(process.env.BENCH_TX ?? 300);
const CROWD = 8;
const BASE_URL =
  process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

type Variant = "pipelined" | "awaited";
const VARIANTS: Variant[] = ["pipelined", "awaited"];

const startedAt = new Date();
const loadAtStart = loadavg();

async function admissionShaped(tx: TransactionSql, who: string): Promise<void> {
  await Promise.all([
    tx`select pg_advisory_xact_lock(hashtextextended(${`bench-tx:${who}`}, 0))`,
    tx`select id from bench_tx where who = ${who} and done = false limit 1`,
  ]);
  await tx`select count(*) from bench_tx where who = ${who}`;
  await tx`insert into bench_tx (who, done) values (${who}, true) returning id`;
}

function once(client: Sql, variant: Variant, who: string): Promise<unknown> {
  return variant === "pipelined"
    ? client.begin((tx) => admissionShaped(tx, who))
    : client.begin("read write", (tx) => admissionShaped(tx, who));
}

async function timed(client: Sql, variant: Variant, count: number, who: string, into: number[]): Promise<void> {
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    await once(client, variant, who);
    into.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

const result = await withFreshPostgres(
  BASE_URL,
  "ss_bench_tx",
  async (label, handle) => {
    const client = (handle.db as unknown as { $client: Sql }).$client;
    await client`create table bench_tx (id serial primary key, who text not null, done boolean not null)`;
    await client`create index on bench_tx (who)`;
    const samples = {
      solo: { pipelined: [] as number[], awaited: [] as number[] },
      crowd: { pipelined: [] as number[], awaited: [] as number[] },
    };
    // Warm-up: connections open, statements prepared on each.
    for (const variant of VARIANTS)
      await Promise.all(Array.from({ length: CROWD }, (_, c) => timed(client, variant, 20, `w${c}`, [])));
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
      for (const variant of order) await timed(client, variant, PER_ROUND, "solo", samples.solo[variant]);
      for (const variant of order)
        await Promise.all(
          Array.from({ length: CROWD }, (_, c) =>
            timed(client, variant, Math.ceil(PER_ROUND / CROWD), `c${c}`, samples.crowd[variant]),
          ),
        );
      await client`truncate bench_tx`;
      console.log(`[bench] round ${round + 1}/${ROUNDS}`);
    }
    return { label, samples };
  },
  { max: CROWD + 2 },
);

const row = (name: string, set: { pipelined: number[]; awaited: number[] }) => {
  const [p50, a50] = [quantile(set.pipelined, 0.5), quantile(set.awaited, 0.5)];
  const [p95, a95] = [quantile(set.pipelined, 0.95), quantile(set.awaited, 0.95)];
  return `| ${name} | ${a50.toFixed(3)} / ${a95.toFixed(3)} | ${p50.toFixed(3)} / ${p95.toFixed(3)} | **${(p50 / a50).toFixed(2)}** / ${(p95 / a95).toFixed(2)} | ${set.pipelined.length} / ${set.awaited.length} |`;
};

const lines = [
  "# A transaction's BEGIN sent with its first statement (bench:transactions)",
  "",
  `- date: ${startedAt.toISOString()} (written when the run ended, ${new Date().toISOString()})`,
  `- command: \`npm run bench:transactions\` (BENCH_ROUNDS=${ROUNDS}, BENCH_TX=${PER_ROUND})`,
  `- machine: ${machineWithVersions(["postgres", "drizzle-orm"])}`,
  `- load average (1, 5, 15 min): ${loadAtStart} at start → ${loadavg()} at end`,
  `- database: ${result.label}, a fresh database; the production client (db/client.ts: reserved connections, prepared statements)`,
  "",
  "One transaction = a lock and the look under it (sent together), a read and an insert, as Generate's admission.",
  'awaited = `begin("read write", …)`, whose BEGIN is answered before the callback runs (every BEGIN before this',
  "change); pipelined = `begin(…)`, whose BEGIN leaves with the callback's first statement (production). Both",
  "variants alternate in every round, on the same connections and rows. Wall time per transaction, ms.",
  "",
  "| | awaited p50 / p95 | pipelined p50 / p95 | ratio pipelined ÷ awaited (p50 / p95) | transactions |",
  "|---|---|---|---|---|",
  row("one at a time", result.samples.solo),
  row(`${CROWD} at once`, result.samples.crowd),
  "",
  "Timings on a shared machine are noisy: compare within one run.",
  "",
];
fs.mkdirSync("bench/results", { recursive: true });
const file = "bench/results/transactions.md";
const previous = fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n## ").slice(1) : [];
fs.writeFileSync(file, [lines.join("\n"), ...previous.map((s) => `## ${s}`)].join("\n"));
console.log(lines.join("\n"));
