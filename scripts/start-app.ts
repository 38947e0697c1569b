/**
 * `npm start`: the README's first command. Starts the app as fast as this machine allows and says where it is the
 * moment the server listens (URL and, on the embedded defaults, the demo accounts).
 *
 * - An up-to-date production build → `next start` (ready in a second or two).
 * - Embedded defaults and no build (a fresh clone) → `next dev` at once, the first pages warmed in the order a
 *   newcomer opens them, then a production build in the background at low priority for the next start.
 * - A real database (DATABASE_URL), NODE_ENV=production or `npm start -- --production` → `next build` when the build
 *   is stale, then `next start`: a server never runs `next dev`.
 *
 * The decisions and messages live in scripts/start-app-lib.ts (tested in tests/server/start-app.test.ts).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import {
  announceWhenListening,
  buildState,
  chooseStart,
  type StartPlan,
  warmUp,
  writeBuildStamp,
} from "./start-app-lib";

const root = path.resolve(import.meta.dirname, "..");
const next = path.join(root, "node_modules", ".bin", process.platform === "win32" ? "next.cmd" : "next");
const port = Number(process.env.PORT ?? 3000);
const embedded = !process.env.DATABASE_URL;
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
const BACKGROUND_BUILD_LOG = path.join(root, ".data", "production-build.log");
const say = (line: string) => console.log(`[start] ${line}`);

const state = buildState(root);
const plan: StartPlan = chooseStart({
  buildFresh: state.fresh,
  embedded,
  nodeEnv: process.env.NODE_ENV,
  forceProduction: process.argv.includes("--production"),
});

let server: ChildProcess | undefined;
let background: ChildProcess | undefined;

function build(options: { background: boolean }): ChildProcess {
  const startedAt = Date.now();
  const niced = options.background && process.platform !== "win32" && spawnSync("nice", ["true"]).status === 0;
  const [command, args] = niced ? ["nice", ["-n", "19", next, "build"]] : [next, ["build"]];
  let stdio: "inherit" | ["ignore", number, number] = "inherit";
  if (options.background) {
    // Not in .next: `next build` empties it first.
    fs.mkdirSync(path.dirname(BACKGROUND_BUILD_LOG), { recursive: true });
    const log = fs.openSync(BACKGROUND_BUILD_LOG, "w");
    stdio = ["ignore", log, log];
  }
  const child = spawn(command, args, { cwd: root, env: { ...env, NODE_ENV: "production" }, stdio });
  child.once("exit", (code) => {
    if (code === 0) writeBuildStamp(root, startedAt);
  });
  return child;
}

function stopAll(signal: NodeJS.Signals): void {
  if (background && background.exitCode === null) background.kill("SIGTERM");
  if (server && server.exitCode === null) server.kill(signal);
}
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => stopAll(signal));

async function main(): Promise<void> {
  if (plan === "build-then-production") {
    say(`${state.reason}: building it first (a few minutes on a small machine; later starts skip this)`);
    const built = build({ background: false });
    const code = await new Promise<number | null>((resolve) => built.once("exit", resolve));
    if (code !== 0) {
      console.error("[start] next build failed; see above.");
      process.exit(code ?? 1);
    }
  } else if (plan === "dev-then-build") {
    say(`${state.reason}: starting the development server now; the production build follows in the background`);
  }

  const mode = plan === "dev-then-build" ? "dev" : "start";
  server = spawn(next, [mode, "-p", String(port)], { cwd: root, env, stdio: "inherit" });
  const exited = new Promise<number>((resolve) =>
    server!.once("exit", (code, signal) => resolve(code ?? (signal ? 0 : 1))),
  );
  exited.then((code) => {
    if (background && background.exitCode === null) background.kill("SIGTERM");
    process.exit(code);
  });

  const url = `http://localhost:${port}`;
  await announceWhenListening({
    port,
    url,
    embedded,
    plan,
    print: console.log,
    alive: () => server!.exitCode === null,
  });

  await warmUp(url, { embedded, say });
  say(`ready: ${url}`);

  if (plan === "dev-then-build") {
    say(`production build started in the background (low priority; log: ${path.relative(root, BACKGROUND_BUILD_LOG)})`);
    background = build({ background: true });
    background.once("exit", (code) => {
      if (code === 0) say("production build ready: the next `npm start` serves it and starts in seconds");
      else if (code !== null)
        say(`background production build failed (exit ${code}); see ${path.relative(root, BACKGROUND_BUILD_LOG)}`);
    });
  }
}

main().catch((error) => {
  console.error(`[start] ${error instanceof Error ? error.message : String(error)}`);
  stopAll("SIGTERM");
  process.exitCode = 1;
});
