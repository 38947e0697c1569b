import { asc, eq, inArray } from "drizzle-orm";
import { getDb, type Db } from "@/db";
import { pageSummaryWaits, type PageSummaryWait } from "@/db/memory-schema";
import { log } from "@/lib/log";
import { automaticJobsMayRun } from "../spending-policy";

/*
 * Summaries that wait for budget. An automatic summary is never submitted against a spent budget (DECISIONS.md
 * "Budgets"); instead the page records why its summary is stale, the page shows it, and the sweep below writes the
 * summary once the payer's budget allows again. The next edit or Summarize all may of course do so first.
 */

export async function recordSummaryWait(
  db: Db,
  wait: { pageId: string; storyId: string; pageVersion: number; payerId: string | null },
): Promise<void> {
  await db
    .insert(pageSummaryWaits)
    .values({ ...wait, reason: "budget" })
    .onConflictDoUpdate({
      target: pageSummaryWaits.pageId,
      set: { pageVersion: wait.pageVersion, payerId: wait.payerId, reason: "budget", createdAt: new Date() },
    });
}

export async function clearSummaryWait(db: Db, pageId: string): Promise<void> {
  await db.delete(pageSummaryWaits).where(eq(pageSummaryWaits.pageId, pageId));
}

export async function summaryWaitsOf(db: Db, pageIds: readonly string[]): Promise<Map<string, PageSummaryWait>> {
  if (pageIds.length === 0) return new Map();
  const rows = await db
    .select()
    .from(pageSummaryWaits)
    .where(inArray(pageSummaryWaits.pageId, [...pageIds]));
  return new Map(rows.map((r) => [r.pageId, r]));
}

/**
 * Writes the summaries that waited for budget, oldest first, for every payer whose budget allows automatic jobs
 * again (a payer still over budget is asked once per sweep, and their pages keep waiting). Each page goes through
 * the same path as after an edit, which submits its job (or finds it no longer needed) and clears the wait.
 */
export async function resumeWaitingSummaries(
  summarize: (pageId: string, payerId: string | null) => Promise<{ outcome: string }>,
  options: { limit?: number; now?: Date } = {},
): Promise<{ resumed: number; waiting: number }> {
  const db = await getDb();
  const waits = await db
    .select()
    .from(pageSummaryWaits)
    .orderBy(asc(pageSummaryWaits.createdAt), asc(pageSummaryWaits.pageId))
    .limit(options.limit ?? 200);
  const allowed = new Map<string, boolean>();
  let resumed = 0;
  for (const wait of waits) {
    const payer = wait.payerId;
    if (payer) {
      let may = allowed.get(payer);
      if (may === undefined) {
        may = await automaticJobsMayRun(db, payer, options.now);
        allowed.set(payer, may);
      }
      if (!may) continue;
    }
    try {
      const { outcome } = await summarize(wait.pageId, payer);
      if (outcome !== "budget") resumed++;
      // The submit path spent budget: whether this payer may still run more is asked again.
      if (payer) allowed.delete(payer);
    } catch (error) {
      log("warn", "waiting summary not resumed", { pageId: wait.pageId, error });
    }
  }
  return { resumed, waiting: waits.length - resumed };
}
