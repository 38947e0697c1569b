import "server-only";
import crypto from "node:crypto";
import { and, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db";
import { apiTokens } from "@/db/api-tokens-schema";
import { preparedPerDb } from "@/db/prepared-queries";
import { users } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { requireActor, type Actor } from "@/lib/stories/actor";
import { parseInput } from "@/lib/stories/validation";

/** Recognisable in logs, config files and secret scanners. */
const TOKEN_PREFIX = "ss_";
/** How much of the token the list shows, so a person can tell tokens apart. */
const SHOWN_PREFIX_LENGTH = TOKEN_PREFIX.length + 6;
/** last_used_at is a hint for people, not an audit log: writing it on every request would make reads write. */
const LAST_USED_RESOLUTION_MS = 60_000;
const MAX_TOKENS_PER_USER = 50;

export interface ApiTokenView {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

export function hashToken(secret: string): string {
  return crypto.createHash("sha256").update(secret, "utf8").digest("hex");
}

function toView(row: typeof apiTokens.$inferSelect): ApiTokenView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

const createSchema = z.object({
  name: z.string().trim().min(1, "Give the token a name.").max(100, "A token name can be at most 100 characters."),
  /** Days until it expires; omitted = never. */
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});

/** Creates a token for the actor. The secret is in the answer and nowhere else: only its hash is stored. */
export async function createApiToken(
  actorOrNull: Actor | null,
  input: unknown,
): Promise<{ token: ApiTokenView; secret: string }> {
  const actor = requireActor(actorOrNull);
  const { name, expiresInDays } = parseInput(createSchema, input);
  const db = await getDb();
  const active = await db
    .select({ id: apiTokens.id })
    .from(apiTokens)
    .where(and(eq(apiTokens.userId, actor.id), isNull(apiTokens.revokedAt)))
    .limit(MAX_TOKENS_PER_USER);
  if (active.length >= MAX_TOKENS_PER_USER) {
    throw new AppError(
      "LIMIT_EXCEEDED",
      `You can have at most ${MAX_TOKENS_PER_USER} tokens. Revoke one you no longer use.`,
    );
  }
  const secret = TOKEN_PREFIX + crypto.randomBytes(32).toString("base64url");
  const [row] = await db
    .insert(apiTokens)
    .values({
      userId: actor.id,
      name,
      tokenHash: hashToken(secret),
      prefix: secret.slice(0, SHOWN_PREFIX_LENGTH),
      expiresAt: expiresInDays ? new Date(Date.now() + expiresInDays * 86_400_000) : null,
    })
    .returning();
  return { token: toView(row!), secret };
}

/** The actor's own tokens, newest first, revoked ones included (marked). Never a secret or a hash. */
export async function listApiTokens(actorOrNull: Actor | null): Promise<ApiTokenView[]> {
  const actor = requireActor(actorOrNull);
  const db = await getDb();
  const rows = await db
    .select()
    .from(apiTokens)
    .where(eq(apiTokens.userId, actor.id))
    .orderBy(desc(apiTokens.createdAt))
    .limit(200);
  return rows.map(toView);
}

/** Revokes one of the actor's tokens (immediately). Someone else's token answers NOT_FOUND, admins included. */
export async function revokeApiToken(actorOrNull: Actor | null, input: unknown): Promise<ApiTokenView> {
  const actor = requireActor(actorOrNull);
  const { tokenId } = parseInput(z.object({ tokenId: z.uuid({ message: "Not a valid id." }) }), input);
  const db = await getDb();
  const [row] = await db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, actor.id)))
    .limit(1);
  if (!row) throw new AppError("NOT_FOUND", "We couldn't find that token.");
  if (row.revokedAt) return toView(row);
  const [revoked] = await db
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.id, tokenId), isNull(apiTokens.revokedAt)))
    .returning();
  return toView(revoked ?? row);
}

/** Prepared (db/prepared-queries.ts): every REST request reads it first. */
const tokenByHash = preparedPerDb((db) =>
  db
    .select({
      id: apiTokens.id,
      userId: apiTokens.userId,
      role: users.role,
      lastUsedAt: apiTokens.lastUsedAt,
      expiresAt: apiTokens.expiresAt,
      revokedAt: apiTokens.revokedAt,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(eq(apiTokens.tokenHash, sql.placeholder("tokenHash")))
    .limit(1)
    .prepare("api_token_by_hash"),
);

/**
 * The actor a bearer secret stands for, or null when it is unknown, revoked or expired (callers answer 401 without
 * saying which: a probe learns nothing). The role is read from the user now, so a demoted admin's token is demoted too.
 */
export async function authenticateApiToken(secret: string, now = new Date()): Promise<Actor | null> {
  if (!secret.startsWith(TOKEN_PREFIX) || secret.length > 200) return null;
  const db = await getDb();
  const [row] = await tokenByHash(db).execute({ tokenHash: hashToken(secret) });
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= now)) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    const staleBefore = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
    // The condition makes concurrent requests write it once.
    await db
      .update(apiTokens)
      .set({ lastUsedAt: now })
      .where(and(eq(apiTokens.id, row.id), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, staleBefore))));
  }
  return { id: row.userId, role: row.role };
}
