import { and, eq, gt, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { userSessions, users, type UserRole } from "@/db/schema";
import { log } from "@/lib/log";

/** How long a session lasts without use; every use (at most once a minute) pushes it forward again. */
export const SESSION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;
const TOUCH_EVERY_MS = 60_000;

const expiryFrom = (now: Date) => new Date(now.getTime() + SESSION_MAX_AGE_SECONDS * 1000);

/** Starts a session for a user who just proved who they are; its id goes into the cookie. */
export async function startSession(userId: string, now = new Date()): Promise<string> {
  const db = await getDb();
  // Ended and expired sessions of this user are of no further use: cleaned here so the table stays small.
  await db
    .delete(userSessions)
    .where(
      and(
        eq(userSessions.userId, userId),
        or(lt(userSessions.expiresAt, now), sql`${userSessions.endedAt} is not null`),
      ),
    );
  const [session] = await db
    .insert(userSessions)
    .values({ userId, createdAt: now, lastSeenAt: now, expiresAt: expiryFrom(now) })
    .returning({ id: userSessions.id });
  return session!.id;
}

export interface LiveSession {
  userId: string;
  role: UserRole;
  name: string;
  email: string;
}

/**
 * The session's user as they are now (current role, name, email), or null when the session was ended, has expired,
 * or its user no longer exists. One indexed lookup per request; the last-seen time is written at most once a minute.
 */
export async function checkSession(sessionId: string, userId: string, now = new Date()): Promise<LiveSession | null> {
  if (!/^[0-9a-f-]{36}$/i.test(sessionId)) return null;
  const db = await getDb();
  const [row] = await db
    .select({
      userId: users.id,
      role: users.role,
      name: users.name,
      email: users.email,
      lastSeenAt: userSessions.lastSeenAt,
    })
    .from(userSessions)
    .innerJoin(users, eq(users.id, userSessions.userId))
    .where(
      and(
        eq(userSessions.id, sessionId),
        eq(userSessions.userId, userId),
        isNull(userSessions.endedAt),
        gt(userSessions.expiresAt, now),
      ),
    )
    .limit(1);
  if (!row) return null;
  if (now.getTime() - row.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
    await db
      .update(userSessions)
      .set({ lastSeenAt: now, expiresAt: expiryFrom(now) })
      .where(and(eq(userSessions.id, sessionId), isNull(userSessions.endedAt)));
  }
  const { lastSeenAt: _seen, ...live } = row;
  return live;
}

/** Ends one session (sign out): its cookie stops working at once, wherever a copy of it is. */
export async function endSession(sessionId: string, now = new Date()): Promise<void> {
  if (!/^[0-9a-f-]{36}$/i.test(sessionId)) return;
  const db = await getDb();
  await db
    .update(userSessions)
    .set({ endedAt: now })
    .where(and(eq(userSessions.id, sessionId), isNull(userSessions.endedAt)));
  endWatches((watch) => watch.sessionId === sessionId);
}

/** Ends every session of a user (sign out everywhere); returns how many were live. */
export async function endAllSessions(userId: string, now = new Date()): Promise<number> {
  const db = await getDb();
  const ended = await db
    .update(userSessions)
    .set({ endedAt: now })
    .where(and(eq(userSessions.userId, userId), isNull(userSessions.endedAt), gt(userSessions.expiresAt, now)))
    .returning({ id: userSessions.id });
  endWatches((watch) => watch.userId === userId);
  return ended.length;
}

/*
 * Long-lived responses opened under a session (the story event streams) end once the session does. The request that
 * opened one checked the session; nothing re-checks it while the response stays open, so without this a stream opened
 * before a sign-out would go on until its own end (5 minutes). Two ways a watch ends:
 * - at once, in this process, when endSession / endAllSessions ends its session (sign-out, "sign out everywhere");
 * - at the next check otherwise: one query every SESSION_RECHECK_MS for every session watched in the process, which
 *   sees what no call here announces — a sign-out on another instance, a deleted user, a changed role (the stream's
 *   access was decided with the old one; its client reconnects and is checked again), an expired session.
 */

/** How often the sessions of open streams are checked against the database (one query for all of them). */
export const SESSION_RECHECK_MS = 2000;

export interface WatchedSession {
  sessionId: string;
  userId: string;
  /** The role the watcher's access was decided with: any other role ends the watch. */
  role: UserRole;
}

interface Watch extends WatchedSession {
  onEnd: () => void;
}

interface Watches {
  all: Set<Watch>;
  timer: ReturnType<typeof setTimeout> | undefined;
  checking: boolean;
}

const globalForWatches = globalThis as unknown as { __storySproutSessionWatches?: Watches };
// On globalThis: a dev reload must not keep a second set whose streams no sign-out reaches.
globalForWatches.__storySproutSessionWatches ??= { all: new Set(), timer: undefined, checking: false };
const watches = globalForWatches.__storySproutSessionWatches;

/**
 * Calls `onEnd` once when the session ends, its user is gone or no longer has `role`; returns the way to stop
 * watching (call it when the stream ends for any other reason).
 */
export function watchSession(session: WatchedSession, onEnd: () => void): () => void {
  const watch: Watch = { ...session, onEnd };
  watches.all.add(watch);
  scheduleCheck();
  return () => {
    watches.all.delete(watch);
  };
}

function endWatches(match: (watch: Watch) => boolean): void {
  for (const watch of [...watches.all]) {
    if (!match(watch)) continue;
    watches.all.delete(watch);
    try {
      watch.onEnd();
    } catch {
      // One listener's failure must not keep the others open.
    }
  }
}

function scheduleCheck(): void {
  if (watches.timer || watches.all.size === 0) return;
  watches.timer = setTimeout(() => {
    watches.timer = undefined;
    void checkWatchedSessions().finally(scheduleCheck);
  }, SESSION_RECHECK_MS);
  // Open streams keep the server alive, not this timer.
  watches.timer.unref?.();
}

/** One query for every watched session: those not live any more (or whose user's role changed) end their watches. */
export async function checkWatchedSessions(now = new Date()): Promise<void> {
  if (watches.checking || watches.all.size === 0) return;
  watches.checking = true;
  try {
    const ids = [...new Set([...watches.all].map((w) => w.sessionId))].filter((id) => /^[0-9a-f-]{36}$/i.test(id));
    const db = await getDb();
    const rows = ids.length
      ? await db
          .select({ id: userSessions.id, userId: userSessions.userId, role: users.role })
          .from(userSessions)
          .innerJoin(users, eq(users.id, userSessions.userId))
          .where(and(inArray(userSessions.id, ids), isNull(userSessions.endedAt), gt(userSessions.expiresAt, now)))
      : [];
    const live = new Map(rows.map((r) => [r.id, r]));
    endWatches((watch) => {
      const row = live.get(watch.sessionId);
      return !row || row.userId !== watch.userId || row.role !== watch.role;
    });
  } catch (error) {
    // A failed check (the database briefly away) ends nothing: the next one tries again.
    log("warn", "open streams' sessions not checked; trying again", { error });
  } finally {
    watches.checking = false;
  }
}
