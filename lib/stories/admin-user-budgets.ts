import type { ContentRating } from "@/db/content-ratings";
import { asc, eq, type SQL } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Db } from "@/db";
import { users, type UserRole } from "@/db/schema";
import { usageTodayByRequester } from "@/lib/ai";
import { AppError } from "@/lib/errors";
import { requireAdmin } from "./access";
import type { Actor } from "./actor";
import { aiLimitDefaults, type AiLimitDefaults } from "./spending-policy";
import { idField, parseInput } from "./validation";

export interface UserBudgetRow {
  id: string;
  name: string;
  email: string;
  role: UserRole;
  /** The user's own budgets; null = the server default applies. */
  dailyTokenBudget: number | null;
  dailyCostBudgetUsd: number | null;
  /** The user's own content-rating maximum; null = the site's. */
  maxContentRating: ContentRating | null;
  tokensToday: number;
  costTodayUsd: number;
  jobsToday: number;
}

/** Admin management of per-user spending budgets (the policy that applies them is spending-policy.ts). */

export async function listUserBudgets(
  actorOrNull: Actor | null,
): Promise<{ users: UserBudgetRow[]; defaults: AiLimitDefaults }> {
  requireAdmin(actorOrNull);
  return { defaults: aiLimitDefaults(), users: await budgetRows(await getDb()) };
}

async function budgetRows(db: Db, where?: SQL): Promise<UserBudgetRow[]> {
  const rows = await db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      role: users.role,
      dailyTokenBudget: users.dailyTokenBudget,
      dailyCostBudgetUsd: users.dailyCostBudgetUsd,
      maxContentRating: users.maxContentRating,
    })
    .from(users)
    .where(where)
    .orderBy(asc(users.email))
    .limit(1000);
  const usage = await usageTodayByRequester(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => {
    const u = usage.get(r.id);
    return {
      ...r,
      dailyCostBudgetUsd: r.dailyCostBudgetUsd === null ? null : Number(r.dailyCostBudgetUsd),
      tokensToday: u?.tokens ?? 0,
      costTodayUsd: u?.costUsd ?? 0,
      jobsToday: u?.jobs ?? 0,
    };
  });
}

/** Blank (or null) means "use the server default"; otherwise a number ≥ 0. Form fields arrive as strings. */
const optionalAmount = (integer: boolean, label: string) =>
  z.preprocess(
    (v) => (v === "" || v === undefined || v === null ? null : typeof v === "string" ? Number(v.trim()) : v),
    z
      .number({ message: `${label} must be a number, or blank for the server default.` })
      .min(0, `${label} cannot be negative.`)
      .max(integer ? 2_000_000_000 : 1_000_000, `${label} is too large.`)
      .refine((n) => !integer || Number.isInteger(n), `${label} must be a whole number.`)
      .nullable(),
  );

const setBudgetSchema = z.object({
  userId: idField,
  dailyTokenBudget: optionalAmount(true, "The token budget"),
  dailyCostBudgetUsd: optionalAmount(false, "The cost budget"),
});

export async function setUserBudget(actorOrNull: Actor | null, input: unknown): Promise<UserBudgetRow> {
  requireAdmin(actorOrNull);
  const { userId, dailyTokenBudget, dailyCostBudgetUsd } = parseInput(setBudgetSchema, input);
  const db = await getDb();
  const [updated] = await db
    .update(users)
    .set({
      dailyTokenBudget,
      dailyCostBudgetUsd: dailyCostBudgetUsd === null ? null : dailyCostBudgetUsd.toFixed(6),
      updatedAt: new Date(),
    })
    .where(eq(users.id, userId))
    .returning({ id: users.id });
  if (!updated) throw new AppError("NOT_FOUND", "We couldn't find that user.");
  return (await budgetRows(db, eq(users.id, userId)))[0]!;
}
