/**
 * The parts of `npm start` (scripts/start-app.ts) that decide and say things, kept apart from the processes it runs
 * so that tests/server/start-app.test.ts can check them: is the production build up to date, which way to start,
 * what to print the moment the server listens, and the warm-up that makes the first visits fast.
 */
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { demoAccounts } from "../lib/stories/demo-accounts";

/** What the production build is made of: a file here changed after the build started means the build is stale. */
export const BUILD_SOURCES = ["app", "lib", "db", "components", "prompts", "public"];
export const BUILD_SOURCE_FILES = [
  "next.config.mjs",
  "instrumentation.ts",
  "proxy.ts",
  "package-lock.json",
  "tsconfig.json",
  "postcss.config.mjs",
];
/** Written by the start script when its build succeeds: when that build started (ms since the epoch). */
export const BUILD_STAMP = path.join(".next", "story-sprout-build.json");

export function newestSource(root: string): { file: string; mtimeMs: number } {
  let newest = { file: "", mtimeMs: 0 };
  const visit = (p: string) => {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      return;
    }
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(p)) if (entry !== "node_modules") visit(path.join(p, entry));
    } else if (stat.mtimeMs > newest.mtimeMs) newest = { file: p, mtimeMs: stat.mtimeMs };
  };
  for (const p of [...BUILD_SOURCES, ...BUILD_SOURCE_FILES]) visit(path.join(root, p));
  return newest;
}

export interface BuildState {
  fresh: boolean;
  /** Why, in words, for the console. */
  reason: string;
}

/**
 * Whether `.next` holds a production build of the sources as they are: a build (`.next/BUILD_ID`) that started
 * (the stamp the start script writes) or, for a build made by `npm run build`, ended after every source file last
 * changed.
 */
export function buildState(root: string): BuildState {
  const buildId = path.join(root, ".next", "BUILD_ID");
  if (!fs.existsSync(buildId)) return { fresh: false, reason: "no production build yet" };
  let builtFrom = fs.statSync(buildId).mtimeMs;
  try {
    const stamp = JSON.parse(fs.readFileSync(path.join(root, BUILD_STAMP), "utf8")) as { startedAt?: unknown };
    if (typeof stamp.startedAt === "number") builtFrom = Math.min(builtFrom, stamp.startedAt);
  } catch {
    // No stamp: a build made by `npm run build`; its BUILD_ID's time stands.
  }
  const newest = newestSource(root);
  if (newest.mtimeMs > builtFrom) {
    return { fresh: false, reason: `${path.relative(root, newest.file)} changed after the last production build` };
  }
  return { fresh: true, reason: "the production build is up to date" };
}

export function writeBuildStamp(root: string, startedAt: number): void {
  fs.mkdirSync(path.join(root, ".next"), { recursive: true });
  fs.writeFileSync(path.join(root, BUILD_STAMP), `${JSON.stringify({ startedAt })}\n`);
}

/**
 * How to start:
 * - `production`: `next start` on the up-to-date build (a second or two).
 * - `build-then-production`: `next build` first (minutes on a small machine), then `next start`. Always so on a real
 *   database or under NODE_ENV=production, and when asked for (`--production`): a server must never run `next dev`.
 * - `dev-then-build`: only on the embedded defaults without a build (a fresh clone): `next dev` answers within
 *   seconds and the warm-up compiles the pages in the order a newcomer opens them; once warm, the production build is
 *   made in the background at low priority, so the next start is `production`.
 */
export type StartPlan = "production" | "build-then-production" | "dev-then-build";

export function chooseStart(options: {
  buildFresh: boolean;
  embedded: boolean;
  nodeEnv?: string;
  forceProduction?: boolean;
}): StartPlan {
  if (options.buildFresh) return "production";
  if (!options.embedded || options.nodeEnv === "production" || options.forceProduction) return "build-then-production";
  return "dev-then-build";
}

/** Printed the moment the server listens: where to go and, on the embedded defaults, who to sign in as. */
export function listeningBanner(options: { url: string; embedded: boolean; plan: StartPlan }): string {
  const lines = ["", `Story Sprout is listening on ${options.url}`];
  if (options.embedded) {
    lines.push(
      "Demo accounts (created in the embedded database on its first start):",
      `  author: ${demoAccounts.author.email} / ${demoAccounts.author.password}`,
      `  admin:  ${demoAccounts.admin.email} / ${demoAccounts.admin.password}`,
    );
  }
  if (options.plan === "dev-then-build") {
    lines.push(
      "First start: the pages compile on first use (the sign-in page first, then the story page and Generate);",
      "progress is shown below. A production build follows in the background, so the next `npm start` is instant.",
    );
  }
  lines.push("");
  return lines.join("\n");
}

/** Resolves once something accepts connections on host:port; rejects when `alive()` turns false or time is up. */
export async function waitForListening(
  port: number,
  options: { host?: string; timeoutMs?: number; intervalMs?: number; alive?: () => boolean } = {},
): Promise<void> {
  const host = options.host ?? "127.0.0.1";
  const until = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    if (options.alive && !options.alive()) throw new Error("the server exited before it listened");
    const connected = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ port, host });
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (connected) return;
    if (Date.now() > until) throw new Error(`nothing listens on ${host}:${port}`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
}

/**
 * Prints the banner (URL, demo accounts) as soon as the server accepts connections, before any page is asked for:
 * under `next dev` the app's own start (instrumentation.ts) waits for the first request.
 */
export async function announceWhenListening(options: {
  port: number;
  url: string;
  embedded: boolean;
  plan: StartPlan;
  print: (text: string) => void;
  alive?: () => boolean;
}): Promise<void> {
  await waitForListening(options.port, { alive: options.alive });
  options.print(listeningBanner(options));
}

/** Cookies from a response's Set-Cookie headers, as `name=value` pairs for the next request's Cookie header. */
export function cookiesFrom(setCookies: readonly string[], jar: Map<string, string> = new Map()): Map<string, string> {
  for (const header of setCookies) {
    const pair = header.split(";", 1)[0] ?? "";
    const eq = pair.indexOf("=");
    if (eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  return jar;
}

const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");

/** The first story id on the stories page's HTML. */
export function firstStoryId(html: string): string | undefined {
  return /data-story-id="([^"]+)"/.exec(html)?.[1];
}

/**
 * Opens, in the order a newcomer does, what the first visits need, so that under `next dev` each is compiled before
 * it is asked for (and, under `next start`, loaded): the sign-in page; then, signed in as the demo author (embedded
 * defaults only), the stories page, a story page, its event stream and a job's status route (Generate). Reports each
 * step through `say`; never throws (a step that fails is reported and the rest skipped or done without a session).
 */
export async function warmUp(
  base: string,
  options: { embedded: boolean; say: (line: string) => void; now?: () => number },
): Promise<void> {
  const now = options.now ?? Date.now;
  const started = now();
  const seconds = () => `${((now() - started) / 1000).toFixed(1)} s`;
  const jar = new Map<string, string>();
  const get = (pathname: string, init: RequestInit = {}) =>
    fetch(`${base}${pathname}`, {
      redirect: "manual",
      ...init,
      headers: { ...(jar.size ? { cookie: cookieHeader(jar) } : {}), ...(init.headers ?? {}) },
    });

  try {
    const signIn = await get("/sign-in");
    await signIn.text();
    if (signIn.status !== 200) throw new Error(`/sign-in answered ${signIn.status}`);
    options.say(`sign-in page ready (${seconds()})`);
  } catch (error) {
    options.say(`warm-up stopped: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }

  let storyId: string | undefined;
  if (options.embedded) {
    try {
      const csrf = await get("/api/auth/csrf");
      cookiesFrom(csrf.headers.getSetCookie(), jar);
      const { csrfToken } = (await csrf.json()) as { csrfToken: string };
      const callback = await get("/api/auth/callback/credentials", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          csrfToken,
          email: demoAccounts.author.email,
          password: demoAccounts.author.password,
          callbackUrl: "/stories",
        }),
      });
      await callback.text();
      cookiesFrom(callback.headers.getSetCookie(), jar);
      const list = await get("/stories");
      const html = await list.text();
      storyId = list.status === 200 ? firstStoryId(html) : undefined;
      if (storyId) {
        options.say(`stories page ready (${seconds()})`);
        const story = await get(`/stories/${storyId}`);
        await story.text();
        options.say(`story page ready (${seconds()})`);
      } else {
        options.say("stories page: the demo author has no story (or no longer exists); story page not warmed");
      }
    } catch (error) {
      options.say(`warm-up of the story pages skipped: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  // Generate: the story's event stream (opened by the story page) and a job's status. Without a session these answer
  // 401, which still compiles them under `next dev`.
  try {
    const abort = new AbortController();
    const events = await get(`/api/stories/${storyId ?? "00000000-0000-0000-0000-000000000000"}/events`, {
      signal: abort.signal,
    });
    abort.abort();
    void events.body?.cancel().catch(() => {});
    const job = await get("/api/jobs/00000000-0000-0000-0000-000000000000");
    await job.text();
    options.say(`Generate ready (${seconds()})`);
  } catch (error) {
    options.say(`warm-up of Generate skipped: ${error instanceof Error ? error.message : String(error)}`);
  }
}
