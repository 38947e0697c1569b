import { and, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { userSessions, users, type UserRole } from "@/db/schema";

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
}

/** Ends every session of a user (sign out everywhere); returns how many were live. */
export async function endAllSessions(userId: string, now = new Date()): Promise<number> {
  const db = await getDb();
  const ended = await db
    .update(userSessions)
    .set({ endedAt: now })
    .where(and(eq(userSessions.userId, userId), isNull(userSessions.endedAt), gt(userSessions.expiresAt, now)))
    .returning({ id: userSessions.id });
  return ended.length;
}
