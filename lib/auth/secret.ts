import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { getDb, type Db } from "@/db";
import { appSecrets, users } from "@/db/schema";
import { log } from "@/lib/log";

const SECRET_NAME = "auth";
const BUILD_PLACEHOLDER = "build-time-placeholder-never-used-for-signing";

/**
 * AUTH_SECRET signs session cookies. With PostgreSQL it must be set. On the embedded defaults a newcomer has none, so
 * one is generated on first start and kept in the database (DECISIONS.md): not in a file next to the data directory,
 * which every instance sharing that folder would share and any local user could plant.
 */
export async function authSecret(): Promise<string> {
  if (process.env.AUTH_SECRET) return process.env.AUTH_SECRET;
  // `next build` evaluates the auth modules to collect route configuration but serves no request: nothing is signed
  // with this value, and the real secret is required again when the server starts.
  if (process.env.NEXT_PHASE === "phase-production-build") return BUILD_PLACEHOLDER;
  if (process.env.DATABASE_URL) {
    throw new Error(
      "AUTH_SECRET is not set. Generate one with `openssl rand -base64 32` and set it in the environment.",
    );
  }
  cached ??= storedSecret(await getDb()).catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

let cached: Promise<string> | undefined;

/** Forgets the cached secret (tests that switch databases). */
export function forgetAuthSecret(): void {
  cached = undefined;
}

async function storedSecret(db: Db): Promise<string> {
  const existing = await readSecret(db);
  if (existing) return existing;
  const legacy = await legacySecretFile(db);
  // Two processes starting together: the first insert wins and both use it.
  await db
    .insert(appSecrets)
    .values({ name: SECRET_NAME, value: legacy ?? crypto.randomBytes(32).toString("base64url") })
    .onConflictDoNothing();
  const stored = (await readSecret(db))!;
  if (legacy !== undefined && stored === legacy) {
    fs.rmSync(legacySecretPath(), { force: true });
    log("info", "auth: moved the session secret from its file into the database");
  }
  return stored;
}

async function readSecret(db: Db): Promise<string | undefined> {
  const [row] = await db.select().from(appSecrets).where(eq(appSecrets.name, SECRET_NAME)).limit(1);
  return row?.value;
}

/** Where versions before the secret moved into the database kept it. */
export function legacySecretPath(env: Record<string, string | undefined> = process.env): string {
  return path.resolve(env.PGLITE_DIR ? path.dirname(env.PGLITE_DIR) : ".data", "auth-secret");
}

/**
 * The secret an earlier version wrote to a file, moved into the database once so that signed-in users stay signed in;
 * the file is removed once the database holds it. Adopted only where there is something to keep (the database has users) and only
 * from a file that looks like ours (owned by this process's user, readable by nobody else): a secret planted in a
 * shared folder is ignored.
 */
async function legacySecretFile(db: Db): Promise<string | undefined> {
  const file = legacySecretPath();
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return undefined;
  }
  const [{ count } = { count: 0 }] = await db.select({ count: sql<number>`count(*)::int` }).from(users);
  const ownedByUs = typeof process.getuid !== "function" || stat.uid === process.getuid();
  const privateFile = (stat.mode & 0o077) === 0;
  const secret = fs.readFileSync(file, "utf8").trim();
  if (count === 0 || !ownedByUs || !privateFile || secret.length < 32) {
    log("warn", "auth: ignoring a session secret file from an earlier version", {
      reason: count === 0 ? "no users to keep signed in" : "not a private file of this user",
    });
    return undefined;
  }
  return secret;
}
