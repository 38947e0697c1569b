import { eq } from "drizzle-orm";
import { getDb, type Db } from "@/db";
import { users } from "@/db/schema";
import type { AiJob } from "@/db/ai-schema";
import {
  jobsCreatedInWindow,
  nextUtcMidnight,
  reservedTokens,
  usageSince,
  utcDayStart,
  type JobAdmission,
  type JobRefusal,
} from "@/lib/ai";
import { AppError } from "@/lib/errors";
import { requireActor, type Actor } from "./actor";

/**
 * The spending policy: a user's daily spending budget and rate limit, and the admission of new AI jobs against them.
 * Admins set per-user budgets in admin-user-budgets.ts; the sums come from lib/ai/spending.ts.
 */

type Env = Record<string, string | undefined>;

const RATE_WINDOW_MS = 60_000;
const DEFAULT_RATE_PER_MINUTE = 20;

/** Server-wide defaults; a user's own budget (set by an admin) wins over them. */
export interface AiLimitDefaults {
  /** Tokens per user per UTC day; null = unlimited. */
  dailyTokenBudget: number | null;
  /** USD per user per UTC day; null = unlimited. */
  dailyCostBudgetUsd: number | null;
  /** New AI jobs per user per rolling minute; null = unlimited. */
  ratePerMinute: number | null;
}

function readNumber(env: Env, name: string, integer: boolean): number | null {
  const raw = env[name]?.trim();
  if (!raw) return null;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    // A typo must not silently lift a limit.
    throw new Error(`${name} must be a ${integer ? "whole " : ""}number ≥ 0 (got "${raw}").`);
  }
  return value;
}

export function aiLimitDefaults(env: Env = process.env): AiLimitDefaults {
  const rate = env.AI_RATE_LIMIT_PER_MINUTE?.trim()
    ? readNumber(env, "AI_RATE_LIMIT_PER_MINUTE", true)
    : DEFAULT_RATE_PER_MINUTE;
  return {
    dailyTokenBudget: readNumber(env, "AI_DAILY_TOKEN_BUDGET", true),
    dailyCostBudgetUsd: readNumber(env, "AI_DAILY_COST_BUDGET_USD", false),
    // 0 turns the rate limit off (a zero budget is how to stop someone's AI use).
    ratePerMinute: rate === 0 ? null : rate,
  };
}

/** Where a user stands today: what they used, their budgets, what is left and when it resets. */
export interface AiAllowance {
  tokensUsed: number;
  costUsedUsd: number;
  /** Estimated tokens of the user's jobs not finished yet (only computed when a token budget applies). */
  tokensReserved: number;
  tokenBudget: number | null;
  costBudgetUsd: number | null;
  /** Budget minus what finished jobs used and what unfinished ones are expected to use. */
  tokensLeft: number | null;
  costLeftUsd: number | null;
  /** Whether the budget comes from the user's own setting or the server default. */
  tokenBudgetSource: "user" | "default";
  costBudgetSource: "user" | "default";
  ratePerMinute: number | null;
  resetsAt: string;
}

export async function aiAllowance(
  db: Db,
  actor: Pick<Actor, "id">,
  now = new Date(),
  env: Env = process.env,
  options: {
    /** Reservation scope (see reservedTokens). */
    runningOnly?: boolean;
    excludeJobId?: string;
    /** For checks whose caller only needs the verdict: with no budget at all, skip summing the day's usage. */
    skipUsageWhenUnlimited?: boolean;
  } = {},
): Promise<AiAllowance> {
  const defaults = aiLimitDefaults(env);
  const [user] = await db
    .select({ tokens: users.dailyTokenBudget, cost: users.dailyCostBudgetUsd })
    .from(users)
    .where(eq(users.id, actor.id))
    .limit(1);
  const tokenBudget = user?.tokens ?? defaults.dailyTokenBudget;
  const costBudgetUsd = user?.cost != null ? Number(user.cost) : defaults.dailyCostBudgetUsd;
  const unlimited = tokenBudget === null && costBudgetUsd === null;
  const used =
    unlimited && options.skipUsageWhenUnlimited
      ? { tokens: 0, costUsd: 0 }
      : await usageSince(db, actor.id, utcDayStart(now));
  const reserved =
    tokenBudget === null
      ? 0
      : await reservedTokens(db, actor.id, { runningOnly: options.runningOnly, excludeJobId: options.excludeJobId });
  return {
    tokensUsed: used.tokens,
    costUsedUsd: used.costUsd,
    tokensReserved: reserved,
    tokenBudget,
    costBudgetUsd,
    tokensLeft: tokenBudget === null ? null : Math.max(0, tokenBudget - used.tokens - reserved),
    costLeftUsd: costBudgetUsd === null ? null : Math.max(0, costBudgetUsd - used.costUsd),
    tokenBudgetSource: user?.tokens != null ? "user" : "default",
    costBudgetSource: user?.cost != null ? "user" : "default",
    ratePerMinute: defaults.ratePerMinute,
    resetsAt: nextUtcMidnight(now).toISOString(),
  };
}

/**
 * Where an allowance stands: finished jobs used the token or the cost budget (`overTokens`, `overCost`), or finished
 * plus unfinished jobs' estimates reach the token budget (`tokensClaimed`, which includes `overTokens`).
 */
function budgetState(a: AiAllowance): { overTokens: boolean; overCost: boolean; tokensClaimed: boolean } {
  return {
    overTokens: a.tokenBudget !== null && a.tokensUsed >= a.tokenBudget,
    overCost: a.costBudgetUsd !== null && a.costUsedUsd >= a.costBudgetUsd,
    tokensClaimed: a.tokenBudget !== null && a.tokensUsed + a.tokensReserved >= a.tokenBudget,
  };
}

/** "3 h 12 min", "12 min", "40 s": how long until something happens, for messages. */
export function formatWait(ms: number): string {
  const totalSeconds = Math.max(1, Math.ceil(ms / 1000));
  if (totalSeconds < 60) return `${totalSeconds} s`;
  const totalMinutes = Math.ceil(totalSeconds / 60);
  const hours = Math.floor(totalMinutes / 60);
  const minutes = totalMinutes % 60;
  if (hours === 0) return `${minutes} min`;
  return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
}

/**
 * Refuses a request that would start new AI jobs for the actor when they are past today's token or cost budget
 * (GEN_BUDGET_EXCEEDED, with when it resets) or past the per-minute rate (RATE_LIMITED, with how long to wait). The
 * rate counts requests (top-level jobs), so a background revision of many pages is one request; `jobs` says how many
 * jobs the request will create (informational for now: usage is only known once jobs ran). Call it after the request
 * is known to create jobs and before any is inserted; joining a running job needs no check.
 */
export async function assertCanRequestAi(
  db: Db,
  actor: Actor,
  options: {
    jobs?: number;
    /**
     * How many requests the new work counts as against the rate limit (default 1; a take set: one per take, since each
     * take is a model call the author asked for).
     */
    requests?: number;
    /**
     * Tokens the new jobs are expected to take (a take set: every take's prompt): admitted only if the token budget
     * covers all of them, so a set is admitted whole or not at all.
     */
    tokens?: number;
    now?: Date;
    env?: Env;
    skipUsageWhenUnlimited?: boolean;
  } = {},
): Promise<AiAllowance> {
  const now = options.now ?? new Date();
  const allowance = await aiAllowance(db, actor, now, options.env, {
    skipUsageWhenUnlimited: options.skipUsageWhenUnlimited,
  });

  const { overTokens, overCost, tokensClaimed } = budgetState(allowance);
  if (overTokens || overCost) {
    const wait = formatWait(new Date(allowance.resetsAt).getTime() - now.getTime());
    const what = overTokens
      ? `${allowance.tokensUsed.toLocaleString("en-US")} of ${allowance.tokenBudget!.toLocaleString("en-US")} tokens`
      : `$${allowance.costUsedUsd.toFixed(2)} of $${allowance.costBudgetUsd!.toFixed(2)}`;
    throw new AppError(
      "GEN_BUDGET_EXCEEDED",
      `You have used your AI budget for today (${what}). It resets at 00:00 UTC, in ${wait}.`,
      {
        resetsAt: allowance.resetsAt,
        tokensUsed: allowance.tokensUsed,
        tokenBudget: allowance.tokenBudget,
        costUsedUsd: allowance.costUsedUsd,
        costBudgetUsd: allowance.costBudgetUsd,
      },
    );
  }
  if (tokensClaimed) {
    const wait = formatWait(new Date(allowance.resetsAt).getTime() - now.getTime());
    throw new AppError(
      "GEN_BUDGET_EXCEEDED",
      `Your AI jobs still running may use the rest of today's budget (${allowance.tokensUsed.toLocaleString("en-US")} of ${allowance.tokenBudget!.toLocaleString("en-US")} tokens used, about ${allowance.tokensReserved.toLocaleString("en-US")} more on the way). Try again when they finish, or after 00:00 UTC, in ${wait}.`,
      {
        resetsAt: allowance.resetsAt,
        tokensUsed: allowance.tokensUsed,
        tokensReserved: allowance.tokensReserved,
        tokenBudget: allowance.tokenBudget,
      },
    );
  }

  const incoming = options.tokens ?? 0;
  if (incoming > 0 && allowance.tokenBudget !== null) {
    const left = allowance.tokenBudget - allowance.tokensUsed - allowance.tokensReserved;
    if (incoming > left) {
      const wait = formatWait(new Date(allowance.resetsAt).getTime() - now.getTime());
      throw new AppError(
        "GEN_BUDGET_EXCEEDED",
        `This request needs about ${incoming.toLocaleString("en-US")} tokens, and ${Math.max(0, left).toLocaleString("en-US")} are left in today's budget. Ask for fewer takes, or try again after 00:00 UTC, in ${wait}.`,
        {
          resetsAt: allowance.resetsAt,
          tokensNeeded: incoming,
          tokensUsed: allowance.tokensUsed,
          tokensReserved: allowance.tokensReserved,
          tokenBudget: allowance.tokenBudget,
        },
      );
    }
  }

  if (allowance.ratePerMinute !== null) {
    const recent = await jobsCreatedInWindow(db, actor.id, RATE_WINDOW_MS, now);
    if (recent.count + (options.requests ?? 1) > allowance.ratePerMinute) {
      const freeAt = recent.oldest ? recent.oldest.getTime() + RATE_WINDOW_MS : now.getTime() + RATE_WINDOW_MS;
      const retryAfterSeconds = Math.max(1, Math.ceil((freeAt - now.getTime()) / 1000));
      const message = `Too many AI requests: the limit is ${allowance.ratePerMinute} per minute. Try again in ${formatWait(retryAfterSeconds * 1000)}.`;
      throw new AppError("RATE_LIMITED", message, { retryAfterSeconds, limitPerMinute: allowance.ratePerMinute });
    }
  }
  return allowance;
}

/**
 * The budget and rate-limit check as a job admission: run by createOrJoinJob inside the transaction that inserts
 * the job, under a lock on the requester, so that concurrent requests cannot all pass the same count.
 */
export function admitWithinLimits(actor: Actor, options: { jobs?: number } = {}): JobAdmission {
  return async (tx) => {
    // Only the verdict matters here, and this runs under the requester's lock on every new job: no extra queries.
    await assertCanRequestAi(tx, actor, { ...options, skipUsageWhenUnlimited: true });
  };
}

/**
 * Checks a background revision's page job against its requester's budget just before it runs: the revision was
 * admitted as a whole, but its pages run one after another, and the budget may run out (or an admin lower it) on
 * the way. The pages left then fail with GEN_BUDGET_EXCEEDED instead of spending past the budget.
 */
export async function budgetRefusalForChild(job: AiJob, db: Db, now = new Date()): Promise<JobRefusal | null> {
  // Only the background runner asks (children, and parentless background jobs such as the summary after an edit,
  // which may wait in line while the budget runs out just the same).
  if (job.requestedBy === null) return null;
  // Pages of the revision already running may spend what is left; the ones waiting in line (this one included) not yet.
  const allowance = await aiAllowance(db, { id: job.requestedBy }, now, process.env, {
    runningOnly: true,
    excludeJobId: job.id,
  });
  const { overCost, tokensClaimed } = budgetState(allowance);
  if (!tokensClaimed && !overCost) return null;
  return {
    code: "GEN_BUDGET_EXCEEDED",
    detail: `daily ${tokensClaimed ? "token" : "cost"} budget used before this page ran`,
  };
}

/**
 * Whether automatic follow-ups (the summary after an edit) may start for this payer now. Unlike a request, a "no"
 * is not an error anyone sees: the follow-up waits (DECISIONS.md, budgets) and a later edit or Summarize all
 * after the budget resets picks it up. Jobs already running count, as for a background page about to start.
 */
export async function automaticJobsMayRun(db: Db, payer: string, now = new Date()): Promise<boolean> {
  const allowance = await aiAllowance(db, { id: payer }, now, process.env, { runningOnly: true });
  const { overCost, tokensClaimed } = budgetState(allowance);
  return !overCost && !tokensClaimed;
}

/** The signed-in user's own allowance, for the remaining-budget hint next to Generate. */
export async function getMyAiAllowance(actorOrNull: Actor | null): Promise<AiAllowance> {
  const actor = requireActor(actorOrNull);
  return aiAllowance(await getDb(), actor);
}
