/**
 * First run (`npm run bench:first-run`): what a newcomer waits for from a fresh clone, on the embedded defaults
 * (PGlite, embedded engine, offline model), with the README's first command beside plain `npm run dev`.
 *
 * Clones this repository's HEAD into a temporary directory and runs `npm install` there once (timed; the lockfile
 * must come out unchanged). Then, per run and per path (the order alternates between runs), the clone is put back to
 * "just installed" (`git clean -xdf -e node_modules`: no .next, no .data) and the path's command is started; the clock
 * starts when the command is spawned (= when `npm install` ended):
 * - URL + accounts printed: the command's output shows the demo author's email;
 * - sign-in page: GET /sign-in answers 200 with the sign-in form (polled);
 * - story page: in Chromium (Playwright, the e2e tests' browser), sign in as the demo author, wait for the stories
 *   list, open the demo story and wait for its pages;
 * - first streamed word: open the demo story's first blank page, click Generate with AI, and wait for the first text
 *   in the editor; reported from the click.
 * The browser pauses as a quick newcomer would (THINK below: 5 s to type the credentials, 2 s on the stories list,
 * 3 s on the story before Generate; BENCH_THINK=0 for none, the worst case for a warm-up); the times after the
 * command include these pauses.
 * In the first run, the `npm start` path then waits for its background production build (when it makes one), stops,
 * and starts again: the second start.
 *
 * BENCH_RUNS [2] runs; BENCH_PATHS [start,dev] (also `app`: `npm run app`, the production build first);
 * BENCH_SECOND_START [1] (0 skips the second start); BENCH_THINK. Results: bench/results/first-run.md.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "@playwright/test";
import { findChromium } from "../../e2e/browser";
import { demoAccounts } from "../../lib/stories/demo-accounts";
import { freePort, loadavg, machine } from "../shared/next-app";

const ROOT = process.cwd();
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const PATHS = (process.env.BENCH_PATHS ?? "start,dev").split(",").map((p) => p.trim()) as PathName[];
const SECOND_START = process.env.BENCH_SECOND_START !== "0";
const STEP_TIMEOUT_MS = 10 * 60_000;
/**
 * A quick newcomer's pauses (ms): typing the demo credentials on the sign-in page, picking the story on the list,
 * looking at the story before opening a blank page and clicking Generate. BENCH_THINK=0: none (the browser does each
 * step as soon as the previous one ends).
 */
const THINK =
  process.env.BENCH_THINK === "0"
    ? { signIn: 0, stories: 0, story: 0 }
    : { signIn: 5_000, stories: 2_000, story: 3_000 };
const startedAt = new Date();
const loadAtStart = loadavg();

type PathName = "start" | "dev" | "app";
const COMMANDS: Record<PathName, { label: string; args: string[] }> = {
  start: { label: "`npm start` (README's first command)", args: ["start"] },
  dev: { label: "`npm run dev` (plain next dev)", args: ["run", "dev"] },
  app: { label: "`npm run app` (production build, then next start)", args: ["run", "app"] },
};

interface Sample {
  path: PathName | "second-start";
  run: number;
  /** ms from the command's spawn. */
  accounts?: number;
  signIn?: number;
  storyPage?: number;
  /** ms from the click on Generate to the first text in the editor. */
  firstWord?: number;
  /** ms from the spawn until the background production build ended (npm start on a fresh clone). */
  backgroundBuild?: number;
  error?: string;
}

const log = (line: string) => console.log(`[first-run] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${result.stderr.slice(-3000)}`);
  return result.stdout;
}

/** Variables that would take the app off the embedded defaults. */
const CLEARED = [
  "DATABASE_URL",
  "PGLITE_DIR",
  "AUTH_SECRET",
  "OPENAI_BASE_URL",
  "OPENAI_API_KEY",
  "AI_MODEL",
  "NODE_ENV",
  "INNGEST_DEV",
  "INNGEST_EVENT_KEY",
  "INNGEST_SIGNING_KEY",
  "INNGEST_BASE_URL",
  "INNGEST_API_BASE_URL",
  "INNGEST_EVENT_API_BASE_URL",
  "INNGEST_SERVE_URL",
];

interface Started {
  child: ChildProcess;
  output: () => string;
  spawnedAt: number;
  /** Resolves with the ms since the spawn when `text` shows up in the output. */
  seen(text: string, timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

function startCommand(clone: string, args: string[], port: number, logFile: string): Started {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port) };
  for (const name of CLEARED) delete env[name];
  const out = fs.openSync(logFile, "w");
  let text = "";
  const spawnedAt = performance.now();
  // Its own process group, so that stopping it stops next and its workers too (as Ctrl-C in a terminal does).
  const child = spawn("npm", args, { cwd: clone, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const waiters: { text: string; resolve: (ms: number) => void }[] = [];
  const onData = (chunk: Buffer) => {
    fs.writeSync(out, chunk);
    text += chunk.toString();
    for (const w of [...waiters]) {
      if (text.includes(w.text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(performance.now() - spawnedAt);
      }
    }
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  return {
    child,
    spawnedAt,
    output: () => text,
    seen: (wanted, timeoutMs = STEP_TIMEOUT_MS) =>
      new Promise((resolve, reject) => {
        if (text.includes(wanted)) return resolve(performance.now() - spawnedAt);
        waiters.push({ text: wanted, resolve });
        setTimeout(() => reject(new Error(`"${wanted}" not printed within ${timeoutMs / 1000} s`)), timeoutMs).unref();
      }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      try {
        process.kill(-child.pid!, "SIGINT");
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // gone
        }
      }, 20_000);
      await exited;
      clearTimeout(timer);
      // The server's own children (next's workers) share the group; give them a moment, then make sure.
      await sleep(1000);
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // all gone
      }
    },
  };
}

async function waitForSignInPage(base: string, started: Started): Promise<number> {
  const until = performance.now() + STEP_TIMEOUT_MS;
  while (performance.now() < until) {
    if (started.child.exitCode !== null) throw new Error(`the command exited:\n${started.output().slice(-2000)}`);
    try {
      const res = await fetch(`${base}/sign-in`, { signal: AbortSignal.timeout(STEP_TIMEOUT_MS) });
      const body = await res.text();
      if (res.status === 200 && body.includes('data-testid="signin-email"'))
        return performance.now() - started.spawnedAt;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error("no sign-in page");
}

async function measure(clone: string, name: PathName | "second-start", runIndex: number): Promise<Sample> {
  const sample: Sample = { path: name, run: runIndex };
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const args = name === "second-start" ? COMMANDS.start.args : COMMANDS[name].args;
  const logFile = path.join(os.tmpdir(), `bench-first-run-${name}-${runIndex}-${port}.log`);
  log(`run ${runIndex}: ${name} on ${base} (log ${logFile}); load ${loadavg()}`);
  const started = startCommand(clone, args, port, logFile);
  live.add(started);
  const browserInfo = findChromium();
  const browser = await chromium.launch({
    executablePath: browserInfo.executablePath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-quic"],
  });
  try {
    started
      .seen(demoAccounts.author.email)
      .then((ms) => {
        sample.accounts = ms;
      })
      .catch(() => {});
    sample.signIn = await waitForSignInPage(base, started);
    log(`  sign-in page ${(sample.signIn / 1000).toFixed(1)} s`);

    const page = await browser.newPage({ baseURL: base });
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
    await page.goto("/sign-in");
    await sleep(THINK.signIn);
    await page.getByTestId("signin-email").fill(demoAccounts.author.email);
    await page.getByTestId("signin-password").fill(demoAccounts.author.password);
    await page.getByTestId("signin-submit").click();
    await page.waitForURL((url) => url.pathname.startsWith("/stories"));
    await page.getByTestId("story-link").first().waitFor();
    await sleep(THINK.stories);
    await page.getByTestId("story-link").first().click();
    await page.waitForURL((url) => /^\/stories\/[^/]+$/.test(url.pathname));
    await page.getByTestId("page-card").first().waitFor();
    sample.storyPage = performance.now() - started.spawnedAt;
    log(`  story page ${(sample.storyPage / 1000).toFixed(1)} s`);

    // A blank page of the demo story (four written pages, then two blank ones): the fifth on a fresh clone, the sixth
    // on the second start (the first start's Generate wrote the fifth).
    const blank = page.getByTestId("page-card").nth(name === "second-start" ? 5 : 4);
    const pageId = await blank.getAttribute("data-page-id");
    await sleep(THINK.story);
    await blank.getByTestId("page-content").click();
    const button = blank.getByTestId("generate-button");
    await button.waitFor();
    const clicked = performance.now();
    await button.click();
    // The first text of the page wherever the card shows it: the editor, the streaming view or the page itself (all
    // three are empty on a blank page; their placeholders are CSS). Looked up on every poll: React replaces nodes.
    await page.waitForFunction(
      (id) => {
        const card = document.querySelector(`[data-testid="page-card"][data-page-id="${id}"]`);
        if (!card) return false;
        const editor = card.querySelector<HTMLTextAreaElement>('[data-testid="page-editor"]');
        const shown = ['[data-testid="page-streaming"]', '[data-testid="page-content"]']
          .map((selector) => card.querySelector(selector)?.textContent ?? "")
          .join("");
        return `${editor?.value ?? ""}${shown}`.trim().length > 0;
      },
      pageId,
      { timeout: STEP_TIMEOUT_MS, polling: 50 },
    );
    sample.firstWord = performance.now() - clicked;
    log(`  first streamed word ${(sample.firstWord / 1000).toFixed(1)} s after the click`);
    await page.close();

    if (name === "start" && SECOND_START && runIndex === 1) {
      // The start script builds in the background once its warm-up is done (which may be after the first word);
      // it says so in the line after "ready", or serves a build it already had.
      await started.seen("[start] ready:");
      await sleep(2000);
    }
    if (
      name === "start" &&
      SECOND_START &&
      runIndex === 1 &&
      started.output().includes("production build started in the background")
    ) {
      log("  waiting for the background production build");
      sample.backgroundBuild = await started.seen("production build ready", 15 * 60_000);
      log(`  background build done ${(sample.backgroundBuild / 1000).toFixed(1)} s after the start`);
    }
  } catch (error) {
    sample.error = error instanceof Error ? error.message.split("\n")[0] : String(error);
    log(`  failed: ${sample.error}`);
  } finally {
    await browser.close();
    await started.stop();
    live.delete(started);
  }
  return sample;
}

// ---------------------------------------------------------------------------------------------------------------

const head = run("git", ["rev-parse", "--short", "HEAD"], ROOT).trim();
const dirty = run("git", ["status", "--porcelain"], ROOT).trim() !== "";
const work = fs.mkdtempSync(path.join(os.tmpdir(), "first-run-"));
const clone = path.join(work, "story-sprout");
log(`cloning HEAD ${head}${dirty ? " (uncommitted changes are not in the clone)" : ""} into ${clone}`);
run("git", ["clone", "--quiet", ROOT, clone], ROOT);
const installStart = performance.now();
run("npm", ["install", "--no-audit", "--no-fund"], clone);
const installMs = performance.now() - installStart;
const lockfileChanges = run("git", ["status", "--porcelain"], clone).trim();
// Read the installed files once, so that the first path measured does not alone pay for a cold disk cache.
spawnSync("sh", ["-c", "tar cf - node_modules | cat > /dev/null"], { cwd: clone });
log(`npm install ${(installMs / 1000).toFixed(1)} s; working tree after it: ${lockfileChanges || "clean"}`);

const live = new Set<Started>();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    for (const started of live) {
      try {
        process.kill(-started.child.pid!, "SIGKILL");
      } catch {
        // gone
      }
    }
    fs.rmSync(work, { recursive: true, force: true });
    process.exit(130);
  });
}

const samples: Sample[] = [];
try {
  for (let r = 1; r <= RUNS; r++) {
    const order = r % 2 === 1 ? PATHS : [...PATHS].reverse();
    for (const name of order) {
      run("git", ["clean", "-xdfq", "-e", "node_modules"], clone);
      const sample = await measure(clone, name, r);
      samples.push(sample);
      if (sample.backgroundBuild !== undefined) samples.push(await measure(clone, "second-start", r));
    }
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------------------------

/** Linear interpolation between the closest ranks (the median of two samples is their mean). */
const quantile = (xs: number[], q: number): number | undefined => {
  if (!xs.length) return undefined;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.min(sorted.length - 1, low + 1);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
};
const s = (ms: number | undefined) => (ms === undefined ? "—" : (ms / 1000).toFixed(1));
type Metric = "accounts" | "signIn" | "storyPage" | "firstWord";
const of = (name: Sample["path"], metric: Metric) =>
  samples.filter((x) => x.path === name && !x.error && x[metric] !== undefined).map((x) => x[metric]!);
const cell = (name: Sample["path"], metric: Metric) => {
  const xs = of(name, metric);
  return xs.length > 1 ? `${s(quantile(xs, 0.5))} / ${s(quantile(xs, 0.95))}` : s(xs[0]);
};
const ratio = (metric: Metric, a: Sample["path"], b: Sample["path"]) => {
  const x = quantile(of(a, metric), 0.5);
  const y = quantile(of(b, metric), 0.5);
  return x !== undefined && y !== undefined && y > 0 ? (x / y).toFixed(2) : "—";
};

const names: Sample["path"][] = [...PATHS];
if (samples.some((x) => x.path === "second-start")) names.splice(1, 0, "second-start");
const label = (name: Sample["path"]) =>
  name === "second-start" ? "`npm start` again (second start, build ready)" : COMMANDS[name].label;
const metrics: [Metric, string][] = [
  ["accounts", "URL and demo accounts printed (s after the command)"],
  ["signIn", "sign-in page: 200 with the form (s after the command)"],
  ["storyPage", "story page shown, signed in (s after the command)"],
  ["firstWord", "first streamed word of Generate (s after the click)"],
];
const hasDev = PATHS.includes("dev") && PATHS.includes("start");
const lines = [
  "# First run: from the end of `npm install` to the sign-in page, the story page and the first streamed word",
  "",
  `- date: ${startedAt.toISOString()} (written at the end of the run, ${new Date().toISOString()})`,
  `- command: \`${process.env.BENCH_RUNS ? `BENCH_RUNS=${RUNS} ` : ""}${process.env.BENCH_PATHS ? `BENCH_PATHS=${PATHS.join(",")} ` : ""}${process.env.BENCH_THINK ? `BENCH_THINK=${process.env.BENCH_THINK} ` : ""}npm run bench:first-run\` (commit ${head})`,
  `- machine: ${machine()}`,
  `- load average (1, 5, 15 min): ${loadAtStart} at start → ${loadavg()} at end (the machine is shared: other work ran meanwhile)`,
  `- fresh clone of HEAD; \`npm install\` took ${s(installMs)} s; working tree after it: ${lockfileChanges ? `\`${lockfileChanges.replaceAll("\n", "; ")}\`` : "clean (the lockfile is not rewritten)"}; its files are then read once, so that the first path measured does not alone pay for a cold disk cache`,
  `- each path starts from the clone as \`npm install\` left it (\`git clean -xdf -e node_modules\`: no .next, no .data), embedded defaults (PGlite, embedded engine, offline model at its default pace); Chromium via Playwright signs in as the demo author, opens the demo story and clicks Generate on its first blank page, ${THINK.signIn ? `pausing as a quick newcomer would (${THINK.signIn / 1000} s to type the credentials, ${THINK.stories / 1000} s on the stories list, ${THINK.story / 1000} s on the story before Generate; the times after the command include them)` : "with no pause between steps (BENCH_THINK=0)"}`,
  "",
  `## Result (${RUNS} run${RUNS === 1 ? "" : "s"} per path; p50 / p95 when more than one)`,
  "",
  `| seconds | ${names.map(label).join(" | ")} |${hasDev ? " `npm start` ÷ `npm run dev` (p50) |" : ""}`,
  `|---|${names.map(() => "---").join("|")}|${hasDev ? "---|" : ""}`,
  ...metrics.map(
    ([metric, text]) =>
      `| ${text} | ${names.map((n) => cell(n, metric)).join(" | ")} |${hasDev ? ` **${ratio(metric, "start", "dev")}** |` : ""}`,
  ),
  "",
  "Aim (docs/DECISIONS.md, Author experience): sign-in page ≤ 60 s after `npm install` ends, first streamed word ≤ 10 s after the click, at low load.",
  "",
  "### Every sample",
  "",
  "| run | path | accounts printed | sign-in page | story page | first word (after click) | background build done | error |",
  "|---|---|---|---|---|---|---|---|",
  ...samples.map(
    (x) =>
      `| ${x.run} | ${x.path} | ${s(x.accounts)} | ${s(x.signIn)} | ${s(x.storyPage)} | ${s(x.firstWord)} | ${s(x.backgroundBuild)} | ${x.error ?? ""} |`,
  ),
  "",
];
const out = path.join(ROOT, "bench/results/first-run.md");
fs.writeFileSync(out, lines.join("\n"));
log(`written ${path.relative(ROOT, out)}`);
process.exit(0);
