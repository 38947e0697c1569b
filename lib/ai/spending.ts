import { and, eq, gte, inArray, isNull, notInArray, or, sql } from "drizzle-orm";
import type { Db } from "@/db";
import { aiJobs } from "@/db/ai-schema";
import { backgroundJobTypes, countedByChildrenJobTypes, foregroundChildJobTypes } from "./job-types/kinds";

/**
 * What each requester spent (tokens, dollars, jobs) from the job ledger: the sums behind the spending budgets and the
 * rate limit (lib/stories/spending-policy.ts). The admin usage report over a date range is lib/ai/jobs/usage-report.ts.
 */

/** Start of the UTC day containing `now`: daily budgets reset at 00:00 UTC for everyone. */
export function utcDayStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

export function nextUtcMidnight(now: Date): Date {
  return new Date(utcDayStart(now).getTime() + 24 * 60 * 60 * 1000);
}

export interface UsageSince {
  tokens: number;
  costUsd: number;
  jobs: number;
}

/**
 * Tokens the requester's unfinished jobs are expected to take: the prompt's tokens as context assembly counted them
 * (`contextBreakdown.totalTokens`, recorded with page prompts), else an estimate from the prompt payload (about four
 * characters a token; the payload holds the story text the prompt is built from). Finished jobs count what they
 * recorded (usageSince); this covers the gap until they do, so several requests started at once cannot all spend the
 * same remaining budget. (A fan-out parent's payload is only its page ids, so it reserves next to nothing; its
 * children carry the pages.)
 * `runningOnly` counts only jobs that have started (a background page asking to start must not count its siblings
 * still waiting in line), and `excludeJobId` leaves out the job that is asking.
 */
export async function reservedTokens(
  db: Db,
  requestedBy: string,
  options: { runningOnly?: boolean; excludeJobId?: string } = {},
): Promise<number> {
  const statuses = options.runningOnly ? ["running"] : ["pending", "running"];
  const [row] = await db
    .select({
      tokens: sql<string>`coalesce(sum(coalesce(
        (${aiJobs.promptPayload} #>> '{contextBreakdown,totalTokens}')::numeric,
        ceil(octet_length(${aiJobs.promptPayload}::text) / 4.0)
      )), 0)`,
    })
    .from(aiJobs)
    .where(
      and(
        eq(aiJobs.requestedBy, requestedBy),
        inArray(aiJobs.status, statuses as ("pending" | "running")[]),
        options.excludeJobId ? sql`${aiJobs.id} <> ${options.excludeJobId}` : undefined,
      ),
    );
  return Number(row?.tokens ?? 0);
}

/**
 * What a requester's jobs consumed since `since` (input + output tokens, cost). Failed and cancelled jobs count what
 * they recorded; a job still running counts what its interrupted attempts spent (lib/ai/jobs/ledger.ts,
 * addAttemptUsage), zero otherwise, until it finishes.
 */
export async function usageSince(db: Db, requestedBy: string, since: Date): Promise<UsageSince> {
  const [row] = await db
    .select({
      tokens: sql<string>`coalesce(sum(coalesce(${aiJobs.inputTokens}, 0) + coalesce(${aiJobs.outputTokens}, 0)), 0)`,
      costUsd: sql<string>`coalesce(sum(${aiJobs.costUsd}), 0)`,
      jobs: sql<string>`count(*)`,
    })
    .from(aiJobs)
    .where(and(eq(aiJobs.requestedBy, requestedBy), gte(aiJobs.createdAt, since)));
  return { tokens: Number(row?.tokens ?? 0), costUsd: Number(row?.costUsd ?? 0), jobs: Number(row?.jobs ?? 0) };
}

/** Today's (UTC) usage for many requesters at once, for admin lists. Requesters with no jobs are absent. */
export async function usageTodayByRequester(
  db: Db,
  requesterIds: string[],
  now = new Date(),
): Promise<Map<string, UsageSince>> {
  const result = new Map<string, UsageSince>();
  if (requesterIds.length === 0) return result;
  const rows = await db
    .select({
      requestedBy: aiJobs.requestedBy,
      tokens: sql<string>`coalesce(sum(coalesce(${aiJobs.inputTokens}, 0) + coalesce(${aiJobs.outputTokens}, 0)), 0)`,
      costUsd: sql<string>`coalesce(sum(${aiJobs.costUsd}), 0)`,
      jobs: sql<string>`count(*)`,
    })
    .from(aiJobs)
    .where(and(inArray(aiJobs.requestedBy, requesterIds), gte(aiJobs.createdAt, utcDayStart(now))))
    .groupBy(aiJobs.requestedBy);
  for (const r of rows) {
    if (r.requestedBy)
      result.set(r.requestedBy, { tokens: Number(r.tokens), costUsd: Number(r.costUsd), jobs: Number(r.jobs) });
  }
  return result;
}

/**
 * Top-level jobs (one per request: a fan-out's children are not counted, nor automatic follow-ups such as the summary
 * after an edit, which would otherwise make a busy writer's own Generate wait) a requester created in the window ending
 * now, with the oldest one's creation time, for a rolling-window rate limit that holds across app instances (the
 * ledger is shared; a process-local counter would not be).
 */
export async function jobsCreatedInWindow(
  db: Db,
  requestedBy: string,
  windowMs: number,
  now = new Date(),
): Promise<{ count: number; oldest: Date | null }> {
  const since = new Date(now.getTime() - windowMs);
  const where = and(
    eq(aiJobs.requestedBy, requestedBy),
    gte(aiJobs.createdAt, since),
    // Requests are top-level jobs, except a take set, which counts as its takes (each one a model call asked for).
    or(
      and(
        isNull(aiJobs.parentJobId),
        notInArray(aiJobs.jobType, [...backgroundJobTypes, ...countedByChildrenJobTypes]),
      ),
      inArray(aiJobs.jobType, [...foregroundChildJobTypes]),
    ),
  );
  // One round trip: this runs inside every job admission, under the requester's lock.
  const [row] = await db
    .select({
      count: sql<string>`count(*)`,
      oldestMs: sql<string | null>`(extract(epoch from min(${aiJobs.createdAt})) * 1000)::float8`,
    })
    .from(aiJobs)
    .where(where);
  const count = Number(row?.count ?? 0);
  return { count, oldest: count > 0 && row?.oldestMs != null ? new Date(Number(row.oldestMs)) : null };
}
