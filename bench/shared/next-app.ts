/**
 * What the benchmarks that measure the app as `next start` serves it share (bench:ttft, bench:engine's production
 * path): a build that is not older than the sources, a free loopback port, a fresh database, and the server itself.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { newestSource } from "../../scripts/start-app-lib";

const ROOT = process.cwd();
/**
 * Builds the app (`npm run build`) when .next is missing or older than a source file; BENCH_SKIP_BUILD=1 uses
 * whatever .next holds (it must exist). Returns what was done, for the report.
 */
export function ensureBuild(): string {
  const buildId = path.join(ROOT, ".next", "BUILD_ID");
  const exists = fs.existsSync(buildId);
  if (process.env.BENCH_SKIP_BUILD === "1") {
    if (!exists) throw new Error("BENCH_SKIP_BUILD=1 but there is no build (.next/BUILD_ID): run npm run build");
    return "existing build used as is (BENCH_SKIP_BUILD=1)";
  }
  const newest = newestSource(ROOT);
  if (exists && fs.statSync(buildId).mtimeMs >= newest.mtimeMs) return "existing build, newer than every source file";
  const why = exists ? `${path.relative(ROOT, newest.file)} is newer than the build` : "no build yet";
  console.log(`[bench] npm run build (${why}); BENCH_SKIP_BUILD=1 skips this`);
  const result = spawnSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
  if (result.status !== 0) throw new Error("npm run build failed");
  return `built for this run (${why})`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export const postgresServerUrl = (): string | undefined => process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;

export interface TempDatabase {
  /** DATABASE_URL for PostgreSQL, undefined for PGlite. */
  url?: string;
  /** PGLITE_DIR for PGlite. */
  pgliteDir?: string;
  label: string;
  drop(): Promise<void>;
}

/** A fresh PostgreSQL database on the server of BENCH_DATABASE_URL / DATABASE_URL, else a PGlite directory. */
export async function tempDatabase(prefix: string): Promise<TempDatabase> {
  const server = postgresServerUrl();
  if (!server) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
    return {
      pgliteDir: path.join(dir, "pglite"),
      label: "PGlite (directory)",
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `${prefix}_${crypto.randomBytes(4).toString("hex")}`;
  const admin = postgres(server, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  await admin.unsafe(`create database "${name}"`).finally(() => admin.end());
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    label: `PostgreSQL ${url.host}, fresh database`,
    drop: async () => {
      const dropper = postgres(server, { max: 1, onnotice: () => {} });
      await dropper.unsafe(`drop database if exists "${name}" with (force)`).finally(() => dropper.end());
    },
  };
}

/** Variables that would make the server use something else than what the benchmark sets up. */
const CLEARED = [
  "OPENAI_BASE_URL",
  "OPENAI_API_KEY",
  "AI_MODEL",
  "INNGEST_DEV",
  "INNGEST_EVENT_KEY",
  "INNGEST_SIGNING_KEY",
  "INNGEST_BASE_URL",
  "INNGEST_API_BASE_URL",
  "INNGEST_EVENT_API_BASE_URL",
  "INNGEST_SERVE_URL",
  "DATABASE_URL",
  "PGLITE_DIR",
];

export interface NextServer {
  base: string;
  process: ChildProcess;
  logFile: string;
  stop(): Promise<void>;
}

/**
 * `next start` on a free loopback port with the database and `env` given (a function of the server's base URL when a
 * variable needs it); resolves once it answers.
 */
export async function startNext(
  db: Pick<TempDatabase, "url" | "pgliteDir">,
  env: Record<string, string> | ((base: string) => Record<string, string>),
  label: string,
): Promise<NextServer> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CLEARED) delete childEnv[name];
  Object.assign(childEnv, {
    ...(db.url ? { DATABASE_URL: db.url } : { PGLITE_DIR: db.pgliteDir }),
    AUTH_SECRET: `bench-${crypto.randomBytes(16).toString("hex")}`,
    PORT: String(port),
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    AI_RATE_LIMIT_PER_MINUTE: "0",
    AI_DAILY_TOKEN_BUDGET: "",
    AI_DAILY_COST_BUDGET_USD: "",
    ...(typeof env === "function" ? env(base) : env),
  });
  const logFile = path.join(os.tmpdir(), `bench-${label}-next-${port}.log`);
  const log = fs.openSync(logFile, "w");
  const child = spawn(path.join(ROOT, "node_modules/.bin/next"), ["start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: ROOT,
    env: childEnv,
    stdio: ["ignore", log, log],
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 8000);
    await exited;
    clearTimeout(timer);
  };
  const until = Date.now() + 90_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) {
      throw new Error(`next start exited ${child.exitCode}:\n${fs.readFileSync(logFile, "utf8").slice(-3000)}`);
    }
    try {
      const res = await fetch(`${base}/api/v1/openapi.json`);
      if (res.status < 500) return { base, process: child, logFile, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`next start did not answer within 90 s (log: ${logFile})`);
}

export function machine(): string {
  return (
    `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? "CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ` +
    `${os.type()} ${os.release()}, Node ${process.version}`
  );
}

export const loadavg = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");
