/**
 * REST API enqueue benchmark (`npm run bench:api`): POST /api/v1/pages/{id}/generate beside a bare insert, under
 * autocannon, against the production build (`next start`) on PostgreSQL, with the embedded engine running the jobs as
 * in production.
 *
 * - generate: POST /api/v1/pages/{id}/generate with the author's API token; each request takes the next page in turn,
 *   so a page is asked again only after every other page was: an answer is a new job (`created: true`) or, when the
 *   page's earlier job is still running, that job joined (`created: false`).
 * - bare: POST /api/bench/bare-insert/{id} (env-gated, app/api/bench/bare-insert/[pageId]/route.ts): the same token
 *   check, then one ai_jobs row of the same shape in the same table (born `cancelled`, tiny payload): what any durable
 *   enqueue must at least do, without access, job, budget or prompt work and without an event.
 * Interleaved: BENCH_ROUNDS [2] rounds, each one phase of each route (the order alternates), BENCH_CONNECTIONS [50]
 * connections for BENCH_SECONDS [30] s per phase. After a generate phase the engine is left to finish its jobs
 * (up to BENCH_DRAIN_SECONDS [120] s) so the next phase does not pay for them; the time is reported.
 * Server CPU per request: user + system time of the `next start` process tree (/proc/<pid>/stat) over the phase,
 * divided by the answers; the generate phases include the engine running jobs meanwhile (it runs in the same
 * process), so the CPU of the phase's drain is reported too.
 * Checks: every created job id is distinct and is a row of ai_jobs, the rows requested by the author are exactly the
 * created ids (nothing lost, nothing duplicated) bar requests cut off at a phase's end, no joined id is missing, no
 * page has two active jobs; every bare answer is a row.
 *
 * Setup: a fresh PostgreSQL database (BENCH_DATABASE_URL or DATABASE_URL's server, created and dropped), one author
 * with a personal API token, BENCH_STORIES [2000] stories × BENCH_PAGES_PER_STORY [20] blank pages. Offline model made
 * instant (OFFLINE_MODEL_MS_PER_WORD=0), no rate limit, no budget. Builds the app first when .next is missing or
 * older than the sources (BENCH_SKIP_BUILD=1 skips that). Results: bench/results/api.md.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import { generateNKeysBetween } from "fractional-indexing";
import postgres from "postgres";
import { openPostgres } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { ensureBuild, loadavg, machine, startNext, tempDatabase } from "../shared/next-app";

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const STORIES = Number(process.env.BENCH_STORIES ?? 2000);
const PAGES_PER_STORY = Number(process.env.BENCH_PAGES_PER_STORY ?? 20);
const DRAIN_SECONDS = Number(process.env.BENCH_DRAIN_SECONDS ?? 120);
const BARE_TEMPLATE_KEY = "bench.bare_insert";

type Route = "generate" | "bare";

interface Phase {
  route: Route;
  round: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  reqPerSec: number;
  latencies: number[];
  cpuMs: number;
  answers: number;
  drainMs?: number;
  drainCpuMs?: number;
  /** The author's jobs still pending or running when the phase began (a drain that ran out of time). */
  activeAtStart: number;
}

/** Clock ticks per second of /proc's utime/stime (USER_HZ): 100 on every Linux build Node supports. */
const USER_HZ = 100;

/** User + system CPU time (ms) of a process and all its descendants, read from /proc. */
function treeCpuMs(rootPid: number): number {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let text: string;
    try {
      text = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the command name (which may hold spaces) start at index 2 = state; ppid is 3, utime 13, stime 14.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    stats.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
  }
  let total = 0;
  const visit = (pid: number) => {
    total += stats.get(pid)?.ticks ?? 0;
    for (const [child, s] of stats) if (s.ppid === pid) visit(child);
  };
  visit(rootPid);
  return (total * 1000) / USER_HZ;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
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
    // Blank pages as the app makes them (lib/stories/pages.ts): token count stored (0), not left for the first prompt.
    const rows = keys.map((position) => ({ story_id: story!.id as string, position, content: "", token_count: 0 }));
    const inserted =
      await sql`insert into pages ${sql(rows, "story_id", "position", "content", "token_count")} returning id`;
    // Interleave stories so consecutive requests hit different stories (as independent clients would).
    inserted.forEach((r, i) => {
      pageIds[i * STORIES + s] = r.id as string;
    });
  }
  return { userId, secret, pageIds };
}

const buildNote = ensureBuild();
const db = await tempDatabase("ss_bench_api");
if (!db.url) throw new Error("bench:api measures PostgreSQL: set BENCH_DATABASE_URL or DATABASE_URL");
const loadStart = loadavg();
const startedAt = new Date().toISOString();
let exitCode = 0;
const sql = postgres(db.url, { max: 4, onnotice: () => {} });
try {
  const migrator = openPostgres(db.url, { max: 1 });
  try {
    await runMigrations(migrator);
  } finally {
    await migrator.close();
  }
  console.log(`[bench] seeding ${STORIES} stories × ${PAGES_PER_STORY} pages (${db.label})`);
  const { userId, secret, pageIds } = await seed(sql);
  const server = await startNext(db, { OFFLINE_MODEL_MS_PER_WORD: "0", STORY_SPROUT_BENCH_ROUTES: "1" }, "api");
  const pid = server.process.pid!;
  try {
    const headers = { authorization: `Bearer ${secret}`, "content-type": "application/json" };
    // Warm both routes (first load of each handler, the DB pool) on pages outside the measured set.
    const warmJobs: string[] = [];
    for (const route of ["generate", "bare"] as const) {
      for (let i = 0; i < 3; i++) {
        const page = pageIds.pop()!;
        const url =
          route === "generate"
            ? `${server.base}/api/v1/pages/${page}/generate`
            : `${server.base}/api/bench/bare-insert/${page}`;
        const res = await fetch(url, { method: "POST", headers, body: "{}" });
        if (res.status !== 202) throw new Error(`warm-up ${route} answered ${res.status}: ${await res.text()}`);
        if (route === "generate") warmJobs.push(((await res.json()) as { job: { id: string } }).job.id);
      }
    }

    let nextPage = 0;
    const created = new Set<string>();
    let createdAnswers = 0;
    const joined: string[] = [];
    const bareIds = new Set<string>();
    let bareAnswers = 0;
    const statuses = new Map<string, number>();
    // Requests still in flight when autocannon stops are aborted client-side; the server may have created their job.
    const sent = new Set<string>();
    const answered = new Set<string>();
    const bodyFailures: string[] = [];
    const phases: Phase[] = [];

    const activeJobs = async () =>
      (
        await sql`select count(*)::int as n from ai_jobs where requested_by = ${userId} and status in ('pending','running')`
      )[0]!.n as number;

    const runPhase = async (route: Route, round: number): Promise<Phase> => {
      const latencies: number[] = [];
      const activeAtStart = await activeJobs();
      const cpuBefore = treeCpuMs(pid);
      let answers = 0;
      const result = await autocannon({
        url: server.base,
        connections: CONNECTIONS,
        duration: SECONDS,
        headers,
        requests: [
          {
            method: "POST",
            body: JSON.stringify({ instruction: "bench" }),
            setupRequest: (req, context: object) => {
              const pageId = pageIds[nextPage++ % pageIds.length]!;
              (context as { start?: number }).start = performance.now();
              if (route === "generate") sent.add(pageId);
              return {
                ...req,
                path: route === "generate" ? `/api/v1/pages/${pageId}/generate` : `/api/bench/bare-insert/${pageId}`,
              };
            },
            onResponse: (status, body, context: object) => {
              latencies.push(performance.now() - (context as { start: number }).start);
              const key = `${route} ${status}`;
              statuses.set(key, (statuses.get(key) ?? 0) + 1);
              if (status !== 202) {
                if (bodyFailures.length < 5) bodyFailures.push(`${route} ${status} ${body.slice(0, 200)}`);
                return;
              }
              answers += 1;
              const parsed = JSON.parse(body) as { created: boolean; job: { id: string; pageId: string } };
              if (route === "bare") {
                bareAnswers += 1;
                bareIds.add(parsed.job.id);
                return;
              }
              answered.add(parsed.job.pageId);
              if (parsed.created) {
                createdAnswers += 1;
                created.add(parsed.job.id);
              } else joined.push(parsed.job.id);
            },
          },
        ],
      });
      const cpuMs = treeCpuMs(pid) - cpuBefore;
      const phase: Phase = {
        route,
        round,
        requests: result.requests.total,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        reqPerSec: answers / SECONDS,
        latencies: latencies.sort((a, b) => a - b),
        cpuMs,
        answers,
        activeAtStart,
      };
      if (route === "generate") {
        const drainStart = performance.now();
        const drainCpu = treeCpuMs(pid);
        while ((await activeJobs()) > 0 && performance.now() - drainStart < DRAIN_SECONDS * 1000) {
          await new Promise((r) => setTimeout(r, 500));
        }
        phase.drainMs = performance.now() - drainStart;
        phase.drainCpuMs = treeCpuMs(pid) - drainCpu;
      }
      console.log(
        `[bench] round ${round} ${route}: ${phase.reqPerSec.toFixed(1)} req/s, p50 ${percentile(phase.latencies, 50).toFixed(0)} ms, ` +
          `${(cpuMs / Math.max(1, answers)).toFixed(2)} ms CPU/request` +
          (phase.drainMs !== undefined ? `, drained in ${(phase.drainMs / 1000).toFixed(1)} s` : ""),
      );
      return phase;
    };

    for (let round = 1; round <= ROUNDS; round++) {
      const order: Route[] = round % 2 === 1 ? ["bare", "generate"] : ["generate", "bare"];
      for (const route of order) {
        console.log(`[bench] round ${round}: ${route}, ${CONNECTIONS} connections, ${SECONDS} s`);
        phases.push(await runPhase(route, round));
      }
    }

    // Generate's own jobs only: a page job that succeeds starts follow-ups for the same author (the page's summary).
    const rows =
      await sql`select id, target_id from ai_jobs where requested_by = ${userId} and job_type in ('page_text.write', 'page_text.revise') and template_key <> ${BARE_TEMPLATE_KEY} and not (id = any(${warmJobs}::uuid[]))`;
    const rowIds = new Set(rows.map((r) => r.id as string));
    const lost = [...created].filter((id) => !rowIds.has(id));
    const unansweredRows = rows.filter((r) => !created.has(r.id as string));
    // A row without a 202 is fine only for a request cut off at a phase's end (sent, never answered).
    const cutOff = unansweredRows.filter(
      (r) => sent.has(r.target_id as string) && !answered.has(r.target_id as string),
    );
    const unanswered = unansweredRows.filter((r) => !cutOff.includes(r));
    const joinedMissing = joined.filter((id) => !rowIds.has(id));
    const duplicates = createdAnswers - created.size;
    const [twoActive] =
      await sql`select count(*)::int as n from (select target_id from ai_jobs where status in ('pending','running') group by target_id having count(*) > 1) t`;
    const [statusCounts] =
      await sql`select count(*) filter (where status = 'succeeded')::int as succeeded, count(*) filter (where status in ('pending','running'))::int as active, count(*) filter (where status = 'failed')::int as failed from ai_jobs where requested_by = ${userId} and job_type in ('page_text.write', 'page_text.revise') and template_key <> ${BARE_TEMPLATE_KEY}`;
    // Why jobs failed (a load test must not fail jobs the model would have written): per error code.
    const failedByCode =
      await sql`select coalesce(error_code, '(none)') as code, count(*)::int as n from ai_jobs where requested_by = ${userId} and job_type in ('page_text.write', 'page_text.revise') and template_key <> ${BARE_TEMPLATE_KEY} and status = 'failed' group by 1 order by 2 desc`;
    const bareRows = await sql`select id from ai_jobs where template_key = ${BARE_TEMPLATE_KEY}`;
    const bareRowIds = new Set(bareRows.map((r) => r.id as string));
    const bareLost = [...bareIds].filter((id) => !bareRowIds.has(id)).length;
    const generatePhases = phases.filter((p) => p.route === "generate").length;
    const ok =
      lost.length === 0 &&
      unanswered.length === 0 &&
      cutOff.length <= CONNECTIONS * generatePhases &&
      duplicates === 0 &&
      joinedMissing.length === 0 &&
      twoActive!.n === 0 &&
      bareLost === 0 &&
      bareIds.size === bareAnswers;

    const summary = (route: Route) => {
      const ps = phases.filter((p) => p.route === route);
      const lat = ps.flatMap((p) => p.latencies).sort((a, b) => a - b);
      const answers = ps.reduce((s, p) => s + p.answers, 0);
      const cpu = ps.reduce((s, p) => s + p.cpuMs, 0);
      const drainCpu = ps.reduce((s, p) => s + (p.drainCpuMs ?? 0), 0);
      return {
        reqPerSec: answers / (SECONDS * ps.length),
        p50: percentile(lat, 50),
        p95: percentile(lat, 95),
        p99: percentile(lat, 99),
        cpuPerRequest: cpu / Math.max(1, answers),
        cpuWithDrain: (cpu + drainCpu) / Math.max(1, answers),
      };
    };
    const gen = summary("generate");
    const bare = summary("bare");
    const fmt = (n: number, d = 0) => n.toFixed(d);
    const loadEnd = loadavg();
    const report = [
      "# REST API enqueue benchmark",
      "",
      `- date: ${startedAt} (run start)`,
      `- machine: ${machine()}`,
      `- load average (1, 5, 15 min): start ${loadStart} · end ${loadEnd}`,
      `- command: \`DATABASE_URL=postgres://… npm run bench:api\` (connections ${CONNECTIONS}, ${SECONDS} s per phase, ${ROUNDS} rounds, ${STORIES} stories × ${PAGES_PER_STORY} pages; ${buildNote})`,
      "- server: `next start` (production build), PostgreSQL, embedded Inngest engine running the jobs, offline model at 0 ms/word, no rate limit or budget",
      "- generate: POST /api/v1/pages/{id}/generate — token check, page access, active-job check, budget check, payload, ledger insert, event to the engine",
      "- bare: POST /api/bench/bare-insert/{id} — the same token check, then one ai_jobs row (born `cancelled`, tiny payload); no access, budget or prompt work, no event",
      "- CPU: user + system time of the `next start` process tree over the phase ÷ answers; generate phases include the engine running jobs meanwhile; “+ drain” adds the CPU spent finishing the phase's jobs afterwards",
      "",
      "| route | req/s | latency p50 | p95 | p99 | server CPU / request | + drain |",
      "|---|---|---|---|---|---|---|",
      `| generate | ${fmt(gen.reqPerSec, 1)} | ${fmt(gen.p50)} ms | ${fmt(gen.p95)} ms | ${fmt(gen.p99)} ms | ${fmt(gen.cpuPerRequest, 2)} ms | ${fmt(gen.cpuWithDrain, 2)} ms |`,
      `| bare insert | ${fmt(bare.reqPerSec, 1)} | ${fmt(bare.p50)} ms | ${fmt(bare.p95)} ms | ${fmt(bare.p99)} ms | ${fmt(bare.cpuPerRequest, 2)} ms | — |`,
      `| **ratio generate / bare** | **${fmt(gen.reqPerSec / bare.reqPerSec, 2)}** (goal ≥ 0.5) | ${fmt(gen.p50 / bare.p50, 2)} | ${fmt(gen.p95 / bare.p95, 2)} | | ${fmt(gen.cpuPerRequest / bare.cpuPerRequest, 2)} | |`,
      "",
      "Phases in the order run:",
      "",
      "| round | route | jobs active at start | answers | req/s | p50 | p95 | CPU / request | drain after |",
      "|---|---|---|---|---|---|---|---|---|",
      ...phases.map(
        (p) =>
          `| ${p.round} | ${p.route} | ${p.activeAtStart} | ${p.answers} (${p.non2xx} non-2xx, ${p.errors} errors, ${p.timeouts} timeouts) | ${fmt(p.reqPerSec, 1)} | ${fmt(percentile(p.latencies, 50))} ms | ${fmt(percentile(p.latencies, 95))} ms | ${fmt(p.cpuMs / Math.max(1, p.answers), 2)} ms | ${p.drainMs === undefined ? "—" : `${fmt(p.drainMs / 1000, 1)} s, ${fmt(p.drainCpuMs! / 1000, 1)} s CPU`} |`,
      ),
      "",
      "Checks:",
      "",
      "| check | value |",
      "|---|---|",
      `| answers | ${[...statuses].map(([s, n]) => `${s}: ${n}`).join(", ")} |`,
      `| generate 202 created | ${createdAnswers} (distinct job ids ${created.size}) |`,
      `| generate 202 joined | ${joined.length} |`,
      `| page-text ai_jobs rows for the author (excluding warm-up and bare rows) | ${rowIds.size} (succeeded ${statusCounts!.succeeded}, still active ${statusCounts!.active}, failed ${statusCounts!.failed} incl. warm-up) |`,
      `| failed page-text jobs by error code | ${failedByCode.length ? failedByCode.map((r) => `${r.code as string} ${r.n as number}`).join(", ") : "none"} |`,
      `| created answers without a row (lost) | ${lost.length} |`,
      `| rows of requests cut off at a phase's end (sent, no answer; ≤ ${CONNECTIONS} per generate phase allowed) | ${cutOff.length} |`,
      `| other rows without a created answer | ${unanswered.length} |`,
      `| duplicate created ids | ${duplicates} |`,
      `| joined ids without a row | ${joinedMissing.length} |`,
      `| pages with more than one active job | ${twoActive!.n} |`,
      `| bare answers without a row / duplicate bare ids | ${bareLost} / ${bareAnswers - bareIds.size} |`,
      `| verdict | ${ok ? "**nothing lost, nothing duplicated**" : "**MISMATCH**"} |`,
      "",
      bodyFailures.length ? `First non-202 answers:\n\n${bodyFailures.map((b) => `- \`${b}\``).join("\n")}\n` : "",
    ].join("\n");
    console.log(report);
    fs.mkdirSync(path.join(process.cwd(), "bench/results"), { recursive: true });
    fs.writeFileSync(path.join(process.cwd(), "bench/results/api.md"), report);
    if (!ok) exitCode = 1;
  } finally {
    await server.stop();
  }
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  await sql.end();
  await db.drop();
}
process.exit(exitCode);
