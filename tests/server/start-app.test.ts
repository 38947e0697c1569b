import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { demoAccounts } from "@/lib/stories/demo-accounts";
import {
  announceWhenListening,
  buildState,
  chooseStart,
  cookiesFrom,
  firstStoryId,
  listeningBanner,
  waitForListening,
  warmUp,
  writeBuildStamp,
} from "@/scripts/start-app-lib";

/** `npm start` (scripts/start-app.ts): the README's first command. Its decisions and messages, not its timings. */

const root = path.resolve(import.meta.dirname, "../..");
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempRepo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "start-app-"));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, "app"));
  fs.writeFileSync(path.join(dir, "app", "page.tsx"), "export default function Page() {}\n");
  return dir;
}

const setMtime = (file: string, ms: number) => fs.utimesSync(file, ms / 1000, ms / 1000);

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("package.json", () => {
  it("`npm start` is the start script, `npm run dev` stays plain next dev", () => {
    const { scripts } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(scripts.start).toMatch(/scripts\/start-app\.ts$/);
    expect(scripts.app).toMatch(/scripts\/start-app\.ts --production$/);
    expect(scripts.dev).toMatch(/next dev$/);
  });
});

describe("buildState", () => {
  it("is stale without a build, fresh when the build is newer than every source, stale again after an edit", () => {
    const dir = tempRepo();
    expect(buildState(dir)).toEqual({ fresh: false, reason: "no production build yet" });

    const t = Date.now() - 60_000;
    setMtime(path.join(dir, "app", "page.tsx"), t);
    fs.mkdirSync(path.join(dir, ".next"));
    fs.writeFileSync(path.join(dir, ".next", "BUILD_ID"), "x");
    setMtime(path.join(dir, ".next", "BUILD_ID"), t + 10_000);
    expect(buildState(dir).fresh).toBe(true);

    setMtime(path.join(dir, "app", "page.tsx"), t + 20_000);
    expect(buildState(dir)).toEqual({ fresh: false, reason: "app/page.tsx changed after the last production build" });
  });

  it("counts from when its own build started: a source saved during the build makes it stale", () => {
    const dir = tempRepo();
    const t = Date.now() - 60_000;
    writeBuildStamp(dir, t);
    setMtime(path.join(dir, "app", "page.tsx"), t + 5_000); // saved while the build ran
    fs.writeFileSync(path.join(dir, ".next", "BUILD_ID"), "x");
    setMtime(path.join(dir, ".next", "BUILD_ID"), t + 30_000);
    expect(buildState(dir).fresh).toBe(false);
    writeBuildStamp(dir, t + 10_000);
    expect(buildState(dir).fresh).toBe(true);
  });
});

describe("chooseStart", () => {
  it("serves an up-to-date build; on a fresh clone with the embedded defaults starts next dev and builds after", () => {
    expect(chooseStart({ buildFresh: true, embedded: true })).toBe("production");
    expect(chooseStart({ buildFresh: true, embedded: false })).toBe("production");
    expect(chooseStart({ buildFresh: false, embedded: true })).toBe("dev-then-build");
  });

  it("never runs next dev on a real database, under NODE_ENV=production or with --production", () => {
    expect(chooseStart({ buildFresh: false, embedded: false })).toBe("build-then-production");
    expect(chooseStart({ buildFresh: false, embedded: true, nodeEnv: "production" })).toBe("build-then-production");
    expect(chooseStart({ buildFresh: false, embedded: true, forceProduction: true })).toBe("build-then-production");
  });
});

describe("listeningBanner", () => {
  it("gives the URL and, on the embedded defaults, both demo accounts with their passwords", () => {
    const text = listeningBanner({ url: "http://localhost:3000", embedded: true, plan: "production" });
    expect(text).toContain("http://localhost:3000");
    for (const account of [demoAccounts.author, demoAccounts.admin]) {
      expect(text).toContain(`${account.email} / ${account.password}`);
    }
  });

  it("names no demo account on a real database (it has none)", () => {
    const text = listeningBanner({ url: "http://localhost:3000", embedded: false, plan: "production" });
    expect(text).toContain("http://localhost:3000");
    expect(text).not.toContain(demoAccounts.author.email);
  });

  it("says on a first start that pages compile on first use and a build follows", () => {
    const text = listeningBanner({ url: "http://localhost:3000", embedded: true, plan: "dev-then-build" });
    expect(text).toMatch(/compile on first use/);
    expect(text).toMatch(/next `npm start` is instant/);
  });
});

describe("announceWhenListening", () => {
  it("prints the URL and accounts once the port accepts connections, before any request", async () => {
    const port = await freePort();
    const printed: string[] = [];
    let requests = 0;
    const announced = announceWhenListening({
      port,
      url: `http://localhost:${port}`,
      embedded: true,
      plan: "dev-then-build",
      print: (text) => printed.push(text),
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(printed).toEqual([]);
    const server = http.createServer((_req, res) => {
      requests++;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    await announced;
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain(`http://localhost:${port}`);
    expect(printed[0]).toContain(demoAccounts.author.email);
    expect(requests).toBe(0);
  });

  it("gives up when the server exits before it listens", async () => {
    const port = await freePort();
    await expect(waitForListening(port, { alive: () => false })).rejects.toThrow(/exited before it listened/);
  });
});

describe("warmUp", () => {
  it("opens the sign-in page, signs in as the demo author, then the stories page, a story, its events and a job", async () => {
    const seen: string[] = [];
    let callbackBody = "";
    const server = http.createServer(async (req, res) => {
      let body = "";
      for await (const chunk of req) body += chunk;
      const cookie = req.headers.cookie ?? "";
      seen.push(`${req.method} ${req.url}${cookie.includes("session=s1") ? " (signed in)" : ""}`);
      if (req.url === "/sign-in") return res.end('<input data-testid="signin-email">');
      if (req.url === "/api/auth/csrf") {
        res.setHeader("set-cookie", "csrf=c1; Path=/; HttpOnly");
        return res.end(JSON.stringify({ csrfToken: "token-1" }));
      }
      if (req.url === "/api/auth/callback/credentials") {
        callbackBody = `${body} cookie:${cookie}`;
        res.setHeader("set-cookie", "session=s1; Path=/; HttpOnly");
        res.statusCode = 302;
        return res.end();
      }
      if (req.url === "/stories") return res.end('<li data-story-id="story-42">');
      if (req.url?.endsWith("/events")) {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write(": open\n\n");
        return; // an event stream stays open; the warm-up closes it
      }
      res.end("ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const { port } = server.address() as net.AddressInfo;
    const said: string[] = [];
    await warmUp(`http://127.0.0.1:${port}`, { embedded: true, say: (line) => said.push(line) });

    expect(seen).toEqual([
      "GET /sign-in",
      "GET /api/auth/csrf",
      "POST /api/auth/callback/credentials",
      "GET /stories (signed in)",
      "GET /stories/story-42 (signed in)",
      "GET /api/stories/story-42/events (signed in)",
      "GET /api/jobs/00000000-0000-0000-0000-000000000000 (signed in)",
    ]);
    const form = new URLSearchParams(callbackBody.split(" cookie:")[0]);
    expect(form.get("csrfToken")).toBe("token-1");
    expect(form.get("email")).toBe(demoAccounts.author.email);
    expect(form.get("password")).toBe(demoAccounts.author.password);
    expect(callbackBody).toContain("cookie:csrf=c1");
    expect(said.map((line) => line.replace(/\(.*\)/, "(…)"))).toEqual([
      "sign-in page ready (…)",
      "stories page ready (…)",
      "story page ready (…)",
      "Generate ready (…)",
    ]);
  });

  it("on a real database opens the sign-in page and Generate's routes without signing in", async () => {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.statusCode = req.url === "/sign-in" ? 200 : 401;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as net.AddressInfo;
    await warmUp(`http://127.0.0.1:${port}`, { embedded: false, say: () => {} });
    expect(seen).toEqual([
      "GET /sign-in",
      "GET /api/stories/00000000-0000-0000-0000-000000000000/events",
      "GET /api/jobs/00000000-0000-0000-0000-000000000000",
    ]);
  });
});

describe("helpers", () => {
  it("keeps cookies by name and finds the first story id", () => {
    const jar = cookiesFrom(["a=1; Path=/", "b=2; HttpOnly"]);
    cookiesFrom(["a=3; Path=/"], jar);
    expect([...jar]).toEqual([
      ["a", "3"],
      ["b", "2"],
    ]);
    expect(firstStoryId('<a data-story-id="s-1"></a><a data-story-id="s-2">')).toBe("s-1");
    expect(firstStoryId("<p>no stories</p>")).toBeUndefined();
  });
});
