import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import type { JWT } from "next-auth/jwt";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { getDb } from "@/db";
import { appSecrets, userSessions, users } from "@/db/schema";
import { authConfig } from "@/lib/auth/config";
import { authSecret, forgetAuthSecret, legacySecretPath } from "@/lib/auth/secret";
import { checkSession, endAllSessions, endSession, startSession, watchSession } from "@/lib/auth/sessions";
import { useTestDb } from "../helpers/db";
import { makeActor } from "../helpers/fixtures";

/** Issue 12, security 1, 2 and 4: sessions that end, roles read per request, the signing secret in the database. */
useTestDb();

beforeEach(() => vi.stubEnv("AUTH_SECRET", "sessions-test-secret-0123456789abcdef0123"));
afterEach(() => {
  vi.unstubAllEnvs();
  forgetAuthSecret();
});

/** The jwt callback as Auth.js calls it on every request that carries the cookie (proxy, auth(), session route). */
async function onRequest(token: JWT): Promise<JWT | null> {
  const jwt = (await authConfig()).callbacks!.jwt!;
  return (await jwt({ token, account: null } as never)) as JWT | null;
}

async function signIn(user: { id: string; role: "author" | "admin" }): Promise<JWT> {
  const jwt = (await authConfig()).callbacks!.jwt!;
  return (await jwt({ token: { sub: user.id }, user, account: null } as never)) as JWT;
}

describe("sessions", () => {
  it("sign-in records a session the cookie names; each request reads the user's current role", async () => {
    const admin = await makeActor("admin");
    const token = await signIn(admin);
    expect(token.sid).toEqual(expect.any(String));
    expect((await onRequest(token))?.role).toBe("admin");

    // Demoted in the database: the very next request acts as an author, whatever the cookie says.
    await (await getDb()).update(users).set({ role: "author" }).where(eq(users.id, admin.id));
    expect((await onRequest({ ...token, role: "admin" }))?.role).toBe("author");
  });

  it("a deleted user's cookie stops working", async () => {
    const author = await makeActor();
    const token = await signIn(author);
    await (await getDb()).delete(users).where(eq(users.id, author.id));
    expect(await onRequest(token)).toBeNull();
  });

  it("signing out ends that session only; signing out everywhere ends them all", async () => {
    const author = await makeActor();
    const phone = await signIn(author);
    const laptop = await signIn(author);
    const events = (await authConfig()).events!;
    await events.signOut!({ token: phone } as never);
    expect(await onRequest(phone)).toBeNull();
    expect(await onRequest(laptop)).not.toBeNull();

    const tablet = await signIn(author);
    expect(await endAllSessions(author.id)).toBe(2);
    expect(await onRequest(laptop)).toBeNull();
    expect(await onRequest(tablet)).toBeNull();
    // A new sign-in afterwards works again.
    expect(await onRequest(await signIn(author))).not.toBeNull();
  });

  it("a cookie naming another user's session, a malformed or an unknown session is refused", async () => {
    const a = await makeActor();
    const b = await makeActor();
    const tokenA = await signIn(a);
    expect(await onRequest({ ...tokenA, uid: b.id })).toBeNull();
    expect(await onRequest({ ...tokenA, sid: "not-a-uuid" })).toBeNull();
    expect(await onRequest({ ...tokenA, sid: crypto.randomUUID() })).toBeNull();
    expect(await onRequest({ uid: a.id, role: "author" })).toBeNull();
  });

  it("expires after 30 days unused; use pushes the expiry forward (written at most once a minute)", async () => {
    const author = await makeActor();
    const start = new Date("2026-01-01T00:00:00Z");
    const sid = await startSession(author.id, start);
    const day = 24 * 60 * 60 * 1000;
    expect(await checkSession(sid, author.id, new Date(start.getTime() + 29 * day))).not.toBeNull();
    // That use moved the expiry to day 59.
    expect(await checkSession(sid, author.id, new Date(start.getTime() + 58 * day))).not.toBeNull();
    expect(await checkSession(sid, author.id, new Date(start.getTime() + 200 * day))).toBeNull();
    const [row] = await (await getDb()).select().from(userSessions).where(eq(userSessions.id, sid));
    expect(row!.lastSeenAt.toISOString()).toBe(new Date(start.getTime() + 58 * day).toISOString());
  });

  it("ended sessions are cleaned when their user signs in again", async () => {
    const author = await makeActor();
    const old = await startSession(author.id);
    await endSession(old);
    await startSession(author.id);
    const rows = await (await getDb()).select().from(userSessions).where(eq(userSessions.userId, author.id));
    expect(rows.map((r) => r.id)).not.toContain(old);
    expect(rows).toHaveLength(1);
  });
});

describe("long-lived responses watch the session they were opened with", () => {
  it("auth() names the session (what the event stream watches), and Auth.js's sign-out ends the watch", async () => {
    const author = await makeActor();
    const token = await signIn(author);
    const config = await authConfig();
    const session = (await config.callbacks!.session!({
      session: { user: {}, expires: new Date().toISOString() },
      token,
    } as never)) as { sessionId?: string; user: { id: string } };
    expect(session).toMatchObject({ sessionId: token.sid, user: { id: author.id } });

    const ended = vi.fn();
    const stop = watchSession({ sessionId: token.sid as string, userId: author.id, role: "author" }, ended);
    await config.events!.signOut!({ token } as never);
    expect(ended).toHaveBeenCalledTimes(1);
    stop();
  });
});

describe("the session secret on the embedded defaults", () => {
  let dir: string;
  beforeEach(async () => {
    vi.stubEnv("AUTH_SECRET", "");
    vi.stubEnv("DATABASE_URL", "");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "secret-"));
    vi.stubEnv("PGLITE_DIR", path.join(dir, "pglite"));
    await (await getDb()).delete(appSecrets);
    forgetAuthSecret();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("is generated into the database, not a file, and stays the same", async () => {
    const first = await authSecret();
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(fs.existsSync(legacySecretPath())).toBe(false);
    forgetAuthSecret();
    expect(await authSecret()).toBe(first);
    const [row] = await (await getDb()).select().from(appSecrets);
    expect(row!.value).toBe(first);
  });

  it("an earlier version's private secret file is moved into the database once, so users stay signed in", async () => {
    await makeActor();
    const legacy = "legacy-secret-from-the-file-0123456789abcdef";
    fs.writeFileSync(legacySecretPath(), legacy, { mode: 0o600 });
    expect(await authSecret()).toBe(legacy);
    expect(fs.existsSync(legacySecretPath())).toBe(false);
    forgetAuthSecret();
    expect(await authSecret()).toBe(legacy);
  });

  it("a secret file others could have written (readable by others) is ignored", async () => {
    await makeActor();
    const planted = "planted-secret-in-a-shared-folder-0123456789";
    fs.writeFileSync(legacySecretPath(), planted, { mode: 0o644 });
    fs.chmodSync(legacySecretPath(), 0o644);
    expect(await authSecret()).not.toBe(planted);
  });
});
