import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  numeric,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { contentRatings, contentRatingsSql } from "./content-ratings";

/**
 * The users table, alone in a leaf file: every other schema file references it, and it references none of them, so
 * the schema files form no import cycle. db/schema.ts re-exports it, so imports from "@/db/schema" keep working.
 */

export const userRoles = ["author", "admin"] as const;
export type UserRole = (typeof userRoles)[number];

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    passwordHash: text("password_hash").notNull(),
    role: text("role", { enum: userRoles }).notNull().default("author"),
    /** Per-user daily AI budgets set by an admin; null means the server default (AI_DAILY_*_BUDGET). */
    dailyTokenBudget: integer("daily_token_budget"),
    dailyCostBudgetUsd: numeric("daily_cost_budget_usd", { precision: 12, scale: 6 }),
    /**
     * The highest content rating this user's jobs may have: set by an admin (binding), and by the user themselves
     * (their own choice, which can only lower what the admin allows). Null = no limit of that kind.
     */
    maxContentRating: text("max_content_rating", { enum: contentRatings }),
    ownMaxContentRating: text("own_max_content_rating", { enum: contentRatings }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("users_email_lower_key").on(sql`lower(${t.email})`),
    check("users_role_check", sql`${t.role} in ('author', 'admin')`),
    check("users_email_check", sql`position('@' in ${t.email}) > 1`),
    check("users_daily_token_budget_check", sql`${t.dailyTokenBudget} is null or ${t.dailyTokenBudget} >= 0`),
    check("users_daily_cost_budget_check", sql`${t.dailyCostBudgetUsd} is null or ${t.dailyCostBudgetUsd} >= 0`),
    check(
      "users_max_content_rating_check",
      sql.raw(
        `(max_content_rating is null or max_content_rating in (${contentRatingsSql})) and (own_max_content_rating is null or own_max_content_rating in (${contentRatingsSql}))`,
      ),
    ),
  ],
);

/**
 * One row per signed-in browser. The session cookie names its row, and every request checks that the row is still
 * live and reads the user's current role through it: signing out (or out everywhere, or deleting the user) ends a
 * session at once, whatever the cookie says.
 */
export const userSessions = pgTable(
  "user_sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    endedAt: timestamp("ended_at", { withTimezone: true }),
  },
  (t) => [
    index("user_sessions_user_idx").on(t.userId, t.createdAt.desc()),
    check("user_sessions_expiry_check", sql`${t.expiresAt} > ${t.createdAt}`),
  ],
);

export type UserSession = typeof userSessions.$inferSelect;

/**
 * Secrets the app generates for itself when the environment gives none (the embedded defaults' session-signing key),
 * kept in the database like the engine's keys: one per installation, never in a file another instance could share.
 */
export const appSecrets = pgTable(
  "app_secrets",
  {
    name: text("name").primaryKey(),
    value: text("value").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("app_secrets_value_check", sql`char_length(${t.value}) >= 32`)],
);

/**
 * Sign-in and sign-up attempts counted per account and per client address in fixed 15-minute windows (lib/auth/
 * throttle.ts). `blockedUntil` is the growing delay an account earns after repeated wrong passwords.
 */
export const authThrottles = pgTable(
  "auth_throttles",
  {
    key: text("key").primaryKey(),
    windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
    count: integer("count").notNull(),
    blockedUntil: timestamp("blocked_until", { withTimezone: true }),
  },
  (t) => [
    index("auth_throttles_window_idx").on(t.windowStart),
    check("auth_throttles_count_check", sql`${t.count} >= 0`),
    check("auth_throttles_key_check", sql`char_length(${t.key}) <= 400`),
  ],
);

/**
 * Site-wide settings an admin changes in the app: one row (the primary key is always true). Read with a fallback to
 * the defaults, so a database without the row behaves as a fresh install.
 */
export const siteSettings = pgTable(
  "site_settings",
  {
    id: boolean("id").primaryKey().default(true),
    maxContentRating: text("max_content_rating", { enum: contentRatings }).notNull().default("explicit"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    updatedBy: uuid("updated_by").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [
    check("site_settings_single_row_check", sql`${t.id}`),
    check("site_settings_max_content_rating_check", sql.raw(`max_content_rating in (${contentRatingsSql})`)),
  ],
);
