import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { authThrottles } from "@/db/schema";

/*
 * Guessing limits (DECISIONS.md, Hardening): per account, from the 5th wrong password within 15 minutes a growing
 * delay (30 s, 1, 2, 4, 8 minutes, then 15 at most), lifted by a right password; per client address 50 attempts per
 * 15 minutes, sign-ups counted the same way. The per-account delay never exceeds 15 minutes, so an attacker can make a
 * real user wait but not lock them out for long. Counters live in the database: every instance sees the same counts.
 */
const WINDOW_MS = 15 * 60 * 1000;
const ACCOUNT_FREE_FAILURES = 4;
const FIRST_DELAY_MS = 30 * 1000;
const MAX_DELAY_MS = 15 * 60 * 1000;
const DEFAULT_ADDRESS_ATTEMPTS = 50;

/** AUTH_ATTEMPTS_PER_ADDRESS: more for a server many people reach through one address (an office NAT, the e2e run). */
function addressAttempts(env: Record<string, string | undefined> = process.env): number {
  const value = Number(env.AUTH_ATTEMPTS_PER_ADDRESS);
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_ADDRESS_ATTEMPTS;
}

export type AttemptKind = "sign-in" | "sign-up";

/** Refused for now; `retryAfterSeconds` says how long until the next try may be made. */
export class AttemptsThrottled extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super("too many attempts");
    this.name = "AttemptsThrottled";
  }
}

const accountKey = (email: string) => `account:${email.trim().toLowerCase()}`;
const addressKey = (kind: AttemptKind, address: string) => `${kind}:${address}`;

const waitFrom = (until: Date, now: Date) => Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));

/** The delay earned by the n-th failure in a window: none for the first four, then doubling up to the maximum. */
export function accountDelayMs(failures: number): number {
  if (failures <= ACCOUNT_FREE_FAILURES) return 0;
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (failures - ACCOUNT_FREE_FAILURES - 1));
}

/** Counts one attempt of `key` in its current window (a window older than 15 minutes starts over) and returns it. */
async function count(key: string, now: Date) {
  const db = await getDb();
  // As text with a cast: inside raw SQL the driver does not know the parameters are timestamps (postgres-js refuses
  // a Date there).
  const windowOpen = sql`${new Date(now.getTime() - WINDOW_MS).toISOString()}::timestamptz`;
  const started = sql`${now.toISOString()}::timestamptz`;
  const [row] = await db
    .insert(authThrottles)
    .values({ key, windowStart: now, count: 1 })
    .onConflictDoUpdate({
      target: authThrottles.key,
      set: {
        count: sql`case when ${authThrottles.windowStart} <= ${windowOpen} then 1 else ${authThrottles.count} + 1 end`,
        windowStart: sql`case when ${authThrottles.windowStart} <= ${windowOpen} then ${started} else ${authThrottles.windowStart} end`,
      },
    })
    .returning();
  return row!;
}

/**
 * One attempt from `address`: refused (AttemptsThrottled) past 50 in the window, and for a sign-in also while the
 * account's delay runs. Called before the password is checked, so a refused guess is never checked at all.
 */
export async function admitAttempt(
  kind: AttemptKind,
  address: string,
  email: string | null,
  now = new Date(),
): Promise<void> {
  const perAddress = await count(addressKey(kind, address), now);
  if (perAddress.count > addressAttempts()) {
    throw new AttemptsThrottled(waitFrom(new Date(perAddress.windowStart.getTime() + WINDOW_MS), now));
  }
  if (kind !== "sign-in" || !email) return;
  const db = await getDb();
  const [account] = await db
    .select({ blockedUntil: authThrottles.blockedUntil })
    .from(authThrottles)
    .where(eq(authThrottles.key, accountKey(email)))
    .limit(1);
  if (account?.blockedUntil && account.blockedUntil > now)
    throw new AttemptsThrottled(waitFrom(account.blockedUntil, now));
}

/** A wrong password for `email`: counted, and from the fifth in a window the account waits before the next try. */
export async function recordFailedSignIn(email: string, now = new Date()): Promise<void> {
  const failures = await count(accountKey(email), now);
  const delay = accountDelayMs(failures.count);
  if (delay === 0) return;
  const db = await getDb();
  await db
    .update(authThrottles)
    .set({ blockedUntil: new Date(now.getTime() + delay) })
    .where(eq(authThrottles.key, accountKey(email)));
}

/** A right password: the account's failures are forgotten. Old rows are swept now and then, in passing. */
export async function recordSuccessfulSignIn(email: string, now = new Date()): Promise<void> {
  const db = await getDb();
  await db.delete(authThrottles).where(eq(authThrottles.key, accountKey(email)));
  if (Math.random() < 0.05) {
    const stale = new Date(now.getTime() - 24 * 60 * 60 * 1000);
    await db
      .delete(authThrottles)
      .where(
        and(
          lt(authThrottles.windowStart, stale),
          or(isNull(authThrottles.blockedUntil), lt(authThrottles.blockedUntil, now)),
        ),
      );
  }
}
