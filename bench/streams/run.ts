/**
 * Story event stream benchmark (`npm run bench:streams`): does the rest of the app stay responsive with the cap's
 * worth of streams open? Against the production build (`next start`) on PostgreSQL, in one run: `GET /sign-in`
 * latency with no stream open, then with BENCH_STREAMS [500] (the default STREAMS_PER_PROCESS) streams of
 * GET /api/stories/{id}/events open — one story each, so each has its own poller reading the database every second —
 * spread over BENCH_USERS [25] users (20 each, the default per-user cap), each authenticated with a personal API token.
 * Each story has one running page job, so every poll reads a row. Also checks that one more stream for a user and
 * one more for the process are refused (429).
 *
 * Setup: a fresh database (BENCH_DATABASE_URL or DATABASE_URL's server, database `ss_bench_streams_<random>`,
 * migrated). Needs a built app: BENCH_APP_DIR [cwd] must hold `.next` (`npm run build` first). Port BENCH_PORT
 * [3230]; BENCH_SAMPLES [100] /sign-in requests per phase. Results: bench/results/streams.md.
 */
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { renderReport, summarize, type LatencySummary } from "./stats";

const STREAMS = Number(process.env.BENCH_STREAMS ?? 500);
const USERS = Number(process.env.BENCH_USERS ?? 25);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 100);
const PORT = Number(process.env.BENCH_PORT ?? 3230);
const APP_DIR = path.resolve(process.env.BENCH_APP_DIR ?? process.cwd());
const SERVER_URL =
  process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const base = `http://127.0.0.1:${PORT}`;

const loadavg = () => fs.readFileSync("/proc/loadavg", "utf8").trim();

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { cwd: APP_DIR, env, stdio: "inherit" });
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited ${code}`)),
    );
  });
}

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server did not answer ${url} within ${timeoutMs} ms`);
}

interface Seeded {
  /** One entry per stream to open: whose token, which story. */
  streams: { secret: string; storyId: string }[];
  /** Stories not streamed: each user's spare (in user order), then the extra user's, for the over-cap checks. */
  spare: { secret: string; storyId: string }[];
}

async function seed(sql: postgres.Sql): Promise<Seeded> {
  const streams: Seeded["streams"] = [];
  const spare: Seeded["spare"] = [];
  const perUser = Math.ceil(STREAMS / USERS);
  // One user more than those holding streams: nobody at a per-user cap, to try one beyond the process cap.
  for (let u = 0; u <= USERS; u++) {
    const tag = crypto.randomBytes(4).toString("hex");
    const [user] =
      await sql`insert into users (email, name, password_hash, role) values (${`bench-${tag}@bench.local`}, ${`Bench ${u + 1}`}, 'x', 'author') returning id`;
    const userId = user!.id as string;
    const secret = `ss_${crypto.randomBytes(32).toString("base64url")}`;
    await sql`insert into api_tokens (user_id, name, token_hash, prefix) values (${userId}, 'bench', ${crypto.createHash("sha256").update(secret).digest("hex")}, ${secret.slice(0, 9)})`;
    for (let s = 0; s <= perUser; s++) {
      const [story] =
        await sql`insert into stories (owner_id, title) values (${userId}, ${`Bench story ${u + 1}.${s + 1}`}) returning id`;
      const storyId = story!.id as string;
      const [page] =
        await sql`insert into pages (story_id, position, content) values (${storyId}, 'a0', 'Once upon a time.') returning id`;
      // A running job (no engine run behind it: the server's sweeper only re-sends pending ones), so every poll of
      // the story reads a row.
      await sql`insert into ai_jobs (job_type, status, target_type, target_id, scope_type, scope_id, requested_by, template_key, template_version, provider, model, prompt_payload, partial_text, started_at)
        values ('page_text.revise', 'running', 'page', ${page!.id as string}, 'story', ${storyId}, ${userId}, 'page_revise', 1, 'offline', 'offline', '{}'::jsonb, 'Once upon', now())`;
      if (u < USERS && s < perUser && streams.length < STREAMS) streams.push({ secret, storyId });
      else spare.push({ secret, storyId });
    }
  }
  return { streams, spare };
}

interface OpenStream {
  controller: AbortController;
  events: number;
}

/** Opens a stream and keeps reading it (so the server never buffers for it); resolves with its HTTP status. */
async function openStream(secret: string, storyId: string, open: OpenStream[]): Promise<number> {
  const controller = new AbortController();
  const response = await fetch(`${base}/api/stories/${storyId}/events`, {
    headers: { authorization: `Bearer ${secret}`, accept: "text/event-stream" },
    signal: controller.signal,
  });
  if (response.status !== 200) {
    await response.body?.cancel();
    return response.status;
  }
  const stream: OpenStream = { controller, events: 0 };
  open.push(stream);
  void (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body!) {
        stream.events += decoder.decode(chunk as Uint8Array).split("event: job\n").length - 1;
      }
    } catch {
      // aborted at the end
    }
  })();
  return response.status;
}

async function measureSignIn(): Promise<LatencySummary> {
  const latencies: number[] = [];
  let failures = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now();
    try {
      const response = await fetch(`${base}/sign-in`, { headers: { accept: "text/html" } });
      await response.arrayBuffer();
      if (response.status !== 200) failures += 1;
      else latencies.push(performance.now() - started);
    } catch {
      failures += 1;
    }
  }
  return summarize(latencies, failures);
}

async function main() {
  if (!fs.existsSync(path.join(APP_DIR, ".next")))
    throw new Error(`No build in ${APP_DIR}: run npm run build there first (BENCH_APP_DIR).`);
  const loadStart = loadavg();
  const dbName = `ss_bench_streams_${crypto.randomBytes(4).toString("hex")}`;
  const admin = postgres(SERVER_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${dbName}"`);
  const url = withDatabase(SERVER_URL, dbName);
  let server: ChildProcess | undefined;
  const sql = postgres(url, { max: 4, onnotice: () => {} });
  const open: OpenStream[] = [];
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: url,
      AUTH_SECRET: `bench-${crypto.randomBytes(16).toString("hex")}`,
      PORT: String(PORT),
      NEXT_TELEMETRY_DISABLED: "1",
      STREAMS_PER_USER: String(Math.ceil(STREAMS / USERS)),
      STREAMS_PER_PROCESS: String(STREAMS),
    };
    for (const name of ["OPENAI_BASE_URL", "OPENAI_API_KEY", "AI_MODEL", "INNGEST_DEV", "INNGEST_EVENT_KEY"])
      delete env[name];
    console.log(`[bench] migrating ${dbName}`);
    await run("npx", ["tsx", "--conditions=react-server", "scripts/migrate.ts"], env);
    console.log(`[bench] seeding ${USERS} users, ${STREAMS} stories with a running job each`);
    const { streams, spare } = await seed(sql);

    const serverLog = fs.openSync(path.join(os.tmpdir(), `bench-streams-server-${PORT}.log`), "w");
    server = spawn("node_modules/.bin/next", ["start", "-p", String(PORT)], {
      cwd: APP_DIR,
      env,
      stdio: ["ignore", serverLog, serverLog],
    });
    await waitFor(`${base}/sign-in`, 120_000);
    // Warm-up: the first render of each route compiles nothing in production, but fills caches and the DB pool.
    for (let i = 0; i < 10; i++) await (await fetch(`${base}/sign-in`)).arrayBuffer();

    console.log(`[bench] /sign-in × ${SAMPLES}, no stream open`);
    const idle = await measureSignIn();

    console.log(`[bench] opening ${streams.length} streams`);
    const statuses = await Promise.all(streams.map((s) => openStream(s.secret, s.storyId, open)));
    const refused = statuses.filter((s) => s !== 200).length;
    // One more for a user at the cap (the first user's spare story), then one more for the process (the extra user,
    // who holds none).
    const atUserCap = spare[0];
    const extraUser = spare.at(-1);
    const overUserCap = atUserCap ? await openStream(atUserCap.secret, atUserCap.storyId, open) : null;
    const overProcessCap = extraUser ? await openStream(extraUser.secret, extraUser.storyId, open) : null;
    // Let every story's poller settle into its one-second rhythm before measuring.
    await new Promise((r) => setTimeout(r, 5000));

    const eventsBefore = open.reduce((n, s) => n + s.events, 0);
    console.log(`[bench] /sign-in × ${SAMPLES}, ${open.length} streams open`);
    const loaded = await measureSignIn();
    const eventsDuringMeasure = open.reduce((n, s) => n + s.events, 0) - eventsBefore;
    for (const stream of open) stream.controller.abort();
    await new Promise((r) => setTimeout(r, 3000));
    console.log(`[bench] /sign-in × ${SAMPLES}, streams closed again`);
    const after = await measureSignIn();

    const cpu = os.cpus()[0]?.model ?? "unknown CPU";
    const report = renderReport({
      date: new Date().toISOString(),
      machine: `${cpu} × ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`,
      command: `BENCH_APP_DIR=<built app> DATABASE_URL=postgres://… npm run bench:streams (BENCH_STREAMS=${STREAMS} BENCH_USERS=${USERS} BENCH_SAMPLES=${SAMPLES})`,
      server: "`next start` (production build), PostgreSQL, embedded Inngest engine idle",
      loadStart,
      loadEnd: loadavg(),
      users: USERS,
      streamsWanted: streams.length,
      streamsOpen: statuses.filter((s) => s === 200).length,
      streamsRefused: refused,
      overUserCap,
      overProcessCap,
      eventsAtOpen: eventsBefore,
      eventsDuringMeasure,
      idle,
      loaded,
      after,
    });
    console.log(report);
    fs.mkdirSync(path.join(process.cwd(), "bench/results"), { recursive: true });
    fs.writeFileSync(path.join(process.cwd(), "bench/results/streams.md"), report);
    if (refused > 0 || overUserCap !== 429 || overProcessCap !== 429) process.exitCode = 1;
  } finally {
    for (const stream of open) stream.controller.abort();
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
