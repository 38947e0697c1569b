import { encode } from "next-auth/jwt";
import { type NextFetchEvent, NextRequest } from "next/server";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "@/db";
import { users } from "@/db/schema";
import { endAllSessions, endSession, startSession } from "@/lib/auth/sessions";
import { useTestDb } from "../helpers/db";
import { makeActor } from "../helpers/fixtures";

const SECRET = "proxy-test-secret-0123456789abcdef0123456789";
let proxy: (request: NextRequest, event: NextFetchEvent) => Promise<Response>;

useTestDb();

beforeAll(async () => {
  // proxy.ts reads the secret when it is loaded.
  vi.stubEnv("AUTH_SECRET", SECRET);
  proxy = (await import("@/proxy")).default;
});

/** A cookie as sign-in issues it: signed, naming a live session of a real user (or the token's fields given). */
async function sessionCookie(fields: Record<string, unknown> = {}): Promise<string> {
  const user = await makeActor("author", "Ada");
  const sid = await startSession(user.id);
  const token = await encode({
    token: { sub: user.id, uid: user.id, sid, role: "author", name: "Ada", email: user.email, ...fields },
    secret: SECRET,
    salt: "authjs.session-token",
  });
  lastSession = { userId: user.id, sid };
  return `authjs.session-token=${token}`;
}
let lastSession: { userId: string; sid: string };

async function call(path: string, headers: Record<string, string>, method = "GET"): Promise<Response> {
  // Next's server adds the forwarded headers Auth.js reads to pick the cookie names (plain http on localhost).
  const request = new NextRequest(`http://localhost:3000${path}`, {
    method,
    headers: { host: "localhost:3000", "x-forwarded-host": "localhost:3000", "x-forwarded-proto": "http", ...headers },
  });
  // The guard never uses the event (no waitUntil work), so a stand-in is enough.
  return proxy(request, {} as NextFetchEvent);
}

const sessionSetCookies = (response: Response) =>
  response.headers.getSetCookie().filter((cookie) => cookie.startsWith("authjs.session-token="));

describe("proxy", () => {
  it.each([
    ["another site", "https://evil.example"],
    ["a sandboxed frame", "null"],
    ["the same host on another port", "http://localhost:3001"],
  ])("answers 403 to a server action posted from %s (Next would throw: a 500)", async (_, origin) => {
    const response = await call("/stories", { cookie: await sessionCookie(), "next-action": "abc123", origin }, "POST");
    expect(response.status).toBe(403);
    expect(sessionSetCookies(response)).toHaveLength(0);
  });

  it("lets a same-site server action (and a post without Origin, as Next does) through to Next", async () => {
    for (const extra of [{ origin: "http://localhost:3000" }, {}] as Record<string, string>[]) {
      const response = await call(
        "/stories",
        { cookie: await sessionCookie(), "next-action": "abc123", ...extra },
        "POST",
      );
      expect(response.status).not.toBe(403);
      expect(response.headers.get("x-middleware-next")).toBe("1");
    }
  });

  it("sends each page a Content-Security-Policy with a fresh nonce, also handed to Next for its scripts", async () => {
    const cookie = await sessionCookie();
    const first = await call("/stories", { cookie, "sec-fetch-mode": "navigate" });
    const second = await call("/stories", { cookie, "sec-fetch-mode": "navigate" });
    const policy = first.headers.get("content-security-policy") ?? "";
    expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{20,}' 'strict-dynamic'/);
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("object-src 'none'");
    expect(policy).not.toContain("unsafe-eval");
    // The request Next renders carries the same policy: that is where Next reads the nonce from.
    expect(first.headers.get("x-middleware-request-content-security-policy")).toBe(policy);
    const nonce = (p: string) => /'nonce-([^']+)'/.exec(p)?.[1];
    expect(nonce(second.headers.get("content-security-policy") ?? "")).not.toBe(nonce(policy));
  });

  it("sends an anonymous visitor to sign in, remembering the page", async () => {
    const response = await call("/stories?x=1", {});
    expect(response.status).toBe(307);
    expect(response.headers.get("location")).toBe("http://localhost:3000/sign-in?callbackUrl=%2Fstories%3Fx%3D1");
  });

  it.each([
    ["with Fetch Metadata", { "sec-fetch-mode": "navigate", "sec-fetch-dest": "document" }],
    ["from a client without Fetch Metadata", {}],
  ])("lets a signed-in user through and rolls the session on a document load %s", async (_, headers) => {
    const response = await call("/stories", { cookie: await sessionCookie(), ...headers });
    expect(response.headers.get("location")).toBeNull();
    expect(response.headers.get("x-middleware-next")).toBe("1");
    expect(sessionSetCookies(response)).toHaveLength(1);
  });

  it.each([
    ["a prefetch", { rsc: "1", "next-router-prefetch": "1" }],
    ["an RSC navigation", { rsc: "1" }],
    ["a server action", { "next-action": "abc123" }],
    // What the proxy really sees of a prefetch or an RSC navigation: Next strips its router headers first, and the
    // browser's Fetch Metadata is all that is left to tell it from a document load.
    ["a router fetch as the proxy sees it", { "sec-fetch-mode": "cors", "sec-fetch-dest": "empty" }],
  ])(
    "never sets the session cookie on %s, so it cannot undo a sign-out that happened meanwhile",
    async (_, headers) => {
      const response = await call("/settings", { cookie: await sessionCookie(), ...headers });
      expect(response.headers.get("x-middleware-next")).toBe("1");
      expect(sessionSetCookies(response)).toEqual([]);
    },
  );

  it("sends a signed-in user away from the sign-in page", async () => {
    const response = await call("/sign-in", { cookie: await sessionCookie() });
    expect(response.headers.get("location")).toBe("http://localhost:3000/stories");
  });

  describe("a cookie whose session has ended is not a session (and is cleared)", () => {
    const endings: [string, () => Promise<unknown>][] = [
      ["signed out", () => endSession(lastSession.sid)],
      ["signed out everywhere", () => endAllSessions(lastSession.userId)],
      ["the user was deleted", async () => (await getDb()).delete(users).where(eq(users.id, lastSession.userId))],
    ];
    it.each(endings)("%s", async (_, end) => {
      const cookie = await sessionCookie();
      expect((await call("/stories", { cookie })).headers.get("location")).toBeNull();
      await end();
      const after = await call("/stories", { cookie, "sec-fetch-mode": "navigate" });
      expect(after.headers.get("location")).toMatch(/\/sign-in\?callbackUrl=/);
      // Cleared, so the sign-in page does not bounce the visitor back to the stories with a dead cookie.
      expect(sessionSetCookies(after).every((c) => /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(c))).toBe(true);
      expect((await call("/sign-in", { cookie })).headers.get("location")).toBeNull();
    });

    it("a token that names no session (issued before sessions were recorded) is not honoured", async () => {
      const cookie = await sessionCookie({ sid: undefined });
      expect((await call("/stories", { cookie })).headers.get("location")).toMatch(/\/sign-in/);
    });

    it("another session of the same user is not ended by signing out this one", async () => {
      const cookie = await sessionCookie();
      const other = await startSession(lastSession.userId);
      await endSession(lastSession.sid);
      const token = await encode({
        token: { sub: lastSession.userId, uid: lastSession.userId, sid: other, role: "author" },
        secret: SECRET,
        salt: "authjs.session-token",
      });
      expect((await call("/stories", { cookie })).headers.get("location")).toMatch(/\/sign-in/);
      const still = await call("/stories", { cookie: `authjs.session-token=${token}` });
      expect(still.headers.get("location")).toBeNull();
    });
  });
});
