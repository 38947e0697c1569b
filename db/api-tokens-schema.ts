import { sql } from "drizzle-orm";
import { check, index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./users-schema";

/**
 * Personal API tokens. Only a SHA-256 hash of the secret is stored (the secret is shown once, at creation); the
 * short prefix lets a person recognise a token in the list. A token acts as its user; revoking it is immediate.
 */
export const apiTokens = pgTable(
  "api_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull(),
    prefix: text("prefix").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("api_tokens_hash_key").on(t.tokenHash),
    index("api_tokens_user_created_idx").on(t.userId, t.createdAt.desc()),
    check("api_tokens_name_check", sql`char_length(${t.name}) between 1 and 100`),
  ],
);

export type ApiToken = typeof apiTokens.$inferSelect;
