/**
 * REST API enqueue benchmark (`npm run bench:api`): POST /api/v1/pages/{id}/generate under autocannon, against the
 * production build (`next start`) on PostgreSQL, with the embedded engine running the jobs as in production.
 *
 * Setup: a fresh database (BENCH_DATABASE_URL or DATABASE_URL's server, database `ss_bench_api_<random>`, migrated),
 * one author with a personal API token, BENCH_STORIES stories × BENCH_PAGES_PER_STORY blank pages. The server runs
 * with the offline model made instant (OFFLINE_MODEL_MS_PER_WORD=0), no rate limit and no budget.
 * Load: BENCH_CONNECTIONS [50] connections for BENCH_SECONDS [30] s; each request takes the next page in turn, so
 * a page is asked again only after every other page was: an answer is either a new job (`created: true`) or, when
 * the page's earlier job is still running, that job joined (`created: false`).
 * Check: every created job id is distinct and is a row of ai_jobs, the rows requested by the author are exactly the
 * created ids (nothing lost, nothing duplicated), and no joined id is missing.
 *
 * Needs a built app: BENCH_APP_DIR [cwd] must hold `.next` (run `npm run build` there first). Port BENCH_PORT [3220].
 * Results: bench/results/api.md.
 */
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { generateNKeysBetween } from "fractional-indexing";
import postgres from "postgres";

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const STORIES = Number(process.env.BENCH_STORIES ?? 2000);
const PAGES_PER_STORY = Number(process.env.BENCH_PAGES_PER_STORY ?? 20);
const PORT = Number(process.env.BENCH_PORT ?? 3220);
const APP_DIR = path.resolve(process.env.BENCH_APP_DIR ?? process.cwd());
const SERVER_URL =
  process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function run(command: string, args: string[], env: NodeJS.ProcessEnv, cwd = APP_DIR): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: "inherit" });
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited ${code}`)),
    );
  });
}

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server did not answer ${url} within ${timeoutMs} ms`);
}

async function seed(sql: postgres.Sql): Promise<{ userId: string; secret: string; pageIds: string[] }> {
  const [user] =
    await sql`insert into users (email, name, password_hash, role) values (${`bench-${crypto.randomBytes(4).toString("hex")}@bench.local`}, 'Bench author', 'x', 'author') returning id`;
  const userId = user!.id as string;
  const secret = `ss_${crypto.randomBytes(32).toString("base64url")}`;
  await sql`insert into api_tokens (user_id, name, token_hash, prefix) values (${userId}, 'bench', ${crypto.createHash("sha256").update(secret).digest("hex")}, ${secret.slice(0, 9)})`;
  const keys = generateNKeysBetween(null, null, PAGES_PER_STORY);
  const pageIds: string[] = [];
  for (let s = 0; s < STORIES; s++) {
    const [story] =
      await sql`insert into stories (owner_id, title) values (${userId}, ${`Bench story ${s + 1}`}) returning id`;
    const rows = keys.map((position) => ({ story_id: story!.id as string, position, content: "" }));
    const inserted = await sql`insert into pages ${sql(rows, "story_id", "position", "content")} returning id`;
    // Interleave stories so consecutive requests hit different stories (as independent clients would).
    inserted.forEach((r, i) => {
      pageIds[i * STORIES + s] = r.id as string;
    });
  }
  return { userId, secret, pageIds };
}

async function main() {
  if (!fs.existsSync(path.join(APP_DIR, ".next")))
    throw new Error(`No build in ${APP_DIR}: run npm run build there first (BENCH_APP_DIR).`);
  const dbName = `ss_bench_api_${crypto.randomBytes(4).toString("hex")}`;
  const admin = postgres(SERVER_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${dbName}"`);
  const url = withDatabase(SERVER_URL, dbName);
  let server: ChildProcess | undefined;
  const sql = postgres(url, { max: 4, onnotice: () => {} });
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: url,
      AUTH_SECRET: `bench-${crypto.randomBytes(16).toString("hex")}`,
      PORT: String(PORT),
      OFFLINE_MODEL_MS_PER_WORD: "0",
      AI_RATE_LIMIT_PER_MINUTE: "0",
      AI_DAILY_TOKEN_BUDGET: "",
      AI_DAILY_COST_BUDGET_USD: "",
      NEXT_TELEMETRY_DISABLED: "1",
    };
    for (const name of [
      "OPENAI_BASE_URL",
      "OPENAI_API_KEY",
      "AI_MODEL",
      "INNGEST_DEV",
      "INNGEST_EVENT_KEY",
      "INNGEST_SIGNING_KEY",
    ])
      delete env[name];
    console.log(`[bench] migrating ${dbName}`);
    await run("npx", ["tsx", "--conditions=react-server", "scripts/migrate.ts"], env);
    console.log(`[bench] seeding ${STORIES} stories × ${PAGES_PER_STORY} pages`);
    const { userId, secret, pageIds } = await seed(sql);

    const serverLog = fs.openSync(path.join(os.tmpdir(), `bench-api-server-${PORT}.log`), "w");
    server = spawn("node_modules/.bin/next", ["start", "-p", String(PORT)], {
      cwd: APP_DIR,
      env,
      stdio: ["ignore", serverLog, serverLog],
    });
    const base = `http://127.0.0.1:${PORT}`;
    await waitFor(`${base}/api/v1/openapi.json`, 60_000);
    // Warm the route (first compile of the handler, the DB pool) on a page outside the measured set.
    const warm = pageIds.pop()!;
    const warmRes = await fetch(`${base}/api/v1/pages/${warm}/generate`, {
      method: "POST",
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
      body: "{}",
    });
    if (warmRes.status !== 202) throw new Error(`warm-up answered ${warmRes.status}: ${await warmRes.text()}`);
    const warmJob = ((await warmRes.json()) as { job: { id: string } }).job.id;

    let next = 0;
    const created = new Set<string>();
    let createdAnswers = 0;
    const joined: string[] = [];
    const statuses = new Map<number, number>();
    // Requests still in flight when autocannon stops are aborted client-side; the server may have created their job.
    const sent = new Set<string>();
    const answered = new Set<string>();
    const bodyFailures: string[] = [];

    console.log(`[bench] autocannon: ${CONNECTIONS} connections, ${SECONDS} s, ${pageIds.length} pages`);
    const result = await autocannon({
      url: base,
      connections: CONNECTIONS,
      duration: SECONDS,
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
      requests: [
        {
          method: "POST",
          body: JSON.stringify({ instruction: "bench" }),
          setupRequest: (req) => {
            const pageId = pageIds[next++ % pageIds.length]!;
            sent.add(pageId);
            return { ...req, path: `/api/v1/pages/${pageId}/generate` };
          },
          onResponse: (status, body) => {
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
            if (status !== 202) {
              if (bodyFailures.length < 5) bodyFailures.push(`${status} ${body.slice(0, 200)}`);
              return;
            }
            const parsed = JSON.parse(body) as { created: boolean; job: { id: string; pageId: string } };
            answered.add(parsed.job.pageId);
            if (parsed.created) {
              createdAnswers += 1;
              created.add(parsed.job.id);
            } else joined.push(parsed.job.id);
          },
        },
      ],
    });

    const rows = await sql`select id, target_id from ai_jobs where requested_by = ${userId} and id <> ${warmJob}`;
    const rowIds = new Set(rows.map((r) => r.id as string));
    const lost = [...created].filter((id) => !rowIds.has(id));
    const unansweredRows = rows.filter((r) => !created.has(r.id as string));
    // A row without a 202 is fine only for a request cut off at the end (sent, never answered): at most one per connection.
    const cutOff = unansweredRows.filter(
      (r) => sent.has(r.target_id as string) && !answered.has(r.target_id as string),
    );
    const unanswered = unansweredRows.filter((r) => !cutOff.includes(r));
    const joinedMissing = joined.filter((id) => !rowIds.has(id));
    const duplicates = createdAnswers - created.size;
    const [active] =
      await sql`select count(*)::int as n from (select target_id from ai_jobs where status in ('pending','running') group by target_id having count(*) > 1) t`;
    const [statusCounts] =
      await sql`select count(*) filter (where status = 'succeeded')::int as succeeded, count(*) filter (where status in ('pending','running'))::int as active, count(*) filter (where status = 'failed')::int as failed from ai_jobs where requested_by = ${userId}`;
    const ok =
      lost.length === 0 &&
      unanswered.length === 0 &&
      cutOff.length <= CONNECTIONS &&
      duplicates === 0 &&
      joinedMissing.length === 0 &&
      active!.n === 0;

    const cpu = os.cpus()[0]?.model ?? "unknown CPU";
    const report = [
      "# REST API enqueue benchmark",
      "",
      `- date: ${new Date().toISOString()}`,
      `- machine: ${cpu} × ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`,
      `- command: \`BENCH_APP_DIR=<built copy> DATABASE_URL=postgres://… npm run bench:api\` (connections ${CONNECTIONS}, ${SECONDS} s, ${STORIES} stories × ${PAGES_PER_STORY} pages)`,
      "- server: `next start` (production build), PostgreSQL, embedded Inngest engine running the jobs meanwhile, offline model at 0 ms/word, no rate limit or budget",
      "- each answer is one request's full enqueue: token check, page ownership, budget check, payload from the whole story, ledger insert, event to the engine",
      "",
      "| metric | value |",
      "|---|---|",
      `| requests | ${result.requests.total} (${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts) |`,
      `| throughput | ${result.requests.average.toFixed(0)} req/s average (p50 ${result.requests.p50}, min ${result.requests.min}, max ${result.requests.max}) |`,
      `| latency | p50 ${result.latency.p50} ms · p90 ${result.latency.p90} ms · p97.5 ${result.latency.p97_5} ms · p99 ${result.latency.p99} ms · max ${result.latency.max} ms |`,
      `| answers | ${[...statuses].map(([s, n]) => `${s}: ${n}`).join(", ")} |`,
      `| 202 created | ${createdAnswers} (distinct job ids ${created.size}) |`,
      `| 202 joined | ${joined.length} |`,
      `| ai_jobs rows for the author (excluding warm-up) | ${rowIds.size} (succeeded ${statusCounts!.succeeded}, still active ${statusCounts!.active}, failed ${statusCounts!.failed} incl. warm-up) |`,
      `| created answers without a row (lost) | ${lost.length} |`,
      `| rows of requests cut off at the end (sent, no answer; ≤ ${CONNECTIONS} allowed) | ${cutOff.length} |`,
      `| other rows without a created answer | ${unanswered.length} |`,
      `| duplicate created ids | ${duplicates} |`,
      `| joined ids without a row | ${joinedMissing.length} |`,
      `| pages with more than one active job | ${active!.n} |`,
      `| verdict | ${ok ? "**nothing lost, nothing duplicated**" : "**MISMATCH**"} |`,
      "",
      bodyFailures.length ? `First non-202 answers:\n\n${bodyFailures.map((b) => `- \`${b}\``).join("\n")}\n` : "",
    ].join("\n");
    console.log(report);
    fs.mkdirSync(path.join(process.cwd(), "bench/results"), { recursive: true });
    fs.writeFileSync(path.join(process.cwd(), "bench/results/api.md"), report);
    if (!ok) process.exitCode = 1;
  } finally {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once("exit", r));
      server.kill("SIGTERM");
      const timer = setTimeout(() => server!.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    await sql.end();
    await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
    await admin.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
