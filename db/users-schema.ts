import { sql } from "drizzle-orm";
import { check, integer, numeric, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

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
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("users_email_lower_key").on(sql`lower(${t.email})`),
    check("users_role_check", sql`${t.role} in ('author', 'admin')`),
    check("users_email_check", sql`position('@' in ${t.email}) > 1`),
    check("users_daily_token_budget_check", sql`${t.dailyTokenBudget} is null or ${t.dailyTokenBudget} >= 0`),
    check("users_daily_cost_budget_check", sql`${t.dailyCostBudgetUsd} is null or ${t.dailyCostBudgetUsd} >= 0`),
  ],
);
