import { and, desc, eq, getTableColumns, gt, inArray, or, sql } from "drizzle-orm";
import type { Db } from "@/db";
import { activeJobStatuses, aiJobs, type AiJob } from "@/db/ai-schema";
import { preparedPerDb } from "@/db/prepared-queries";

/** How long a settled job stays in a scope's live read, so a listener that was away a moment still sees the end. */
export const RECENTLY_SETTLED_MS = 2 * 60_000;
/** Every column but the running job's stored prompt (a long story's is 400 KB; no view shows it), read every tick. */
const { renderedPrompt: _prompt, ...liveColumns } = getTableColumns(aiJobs);

/** A bound on one read: a story's whole history is never loaded because of a live view. */
const MAX_LIVE_JOBS = 2000;

/** The live read, prepared (db/prepared-queries.ts): it runs once a second per story with an open editor. */
const liveScopeJobs = preparedPerDb((db) => {
  const scopeType = sql.placeholder("scopeType");
  const scopeId = sql.placeholder("scopeId");
  const since = sql`${sql.placeholder("since")}::timestamptz`;
  const activeParents = db
    .select({ id: aiJobs.id })
    .from(aiJobs)
    .where(
      and(
        eq(aiJobs.scopeType, scopeType),
        eq(aiJobs.scopeId, scopeId),
        inArray(aiJobs.status, [...activeJobStatuses]),
        sql`${aiJobs.parentJobId} is null`,
      ),
    );
  return db
    .select(liveColumns)
    .from(aiJobs)
    .where(
      and(
        eq(aiJobs.scopeType, scopeType),
        eq(aiJobs.scopeId, scopeId),
        or(
          inArray(aiJobs.status, [...activeJobStatuses]),
          gt(aiJobs.updatedAt, since),
          gt(aiJobs.landedAt, since),
          inArray(aiJobs.parentJobId, activeParents),
        ),
      ),
    )
    .orderBy(desc(aiJobs.createdAt))
    .limit(MAX_LIVE_JOBS)
    .prepare("live_scope_jobs");
});

/**
 * The jobs of one scope (e.g. a story) worth showing live, in one query: every active job, every job that changed or
 * landed in the last RECENTLY_SETTLED_MS, and every child of an active fan-out parent (so its progress can be
 * counted). This is the one database read a scope's live hub makes per tick, whatever its number of listeners.
 */
export async function listLiveScopeJobs(
  db: Db,
  scopeType: string,
  scopeId: string,
  now: Date = new Date(),
): Promise<AiJob[]> {
  const since = new Date(now.getTime() - RECENTLY_SETTLED_MS).toISOString();
  const rows = await liveScopeJobs(db).execute({ scopeType, scopeId, since });
  return rows.map((row) => ({ ...row, renderedPrompt: null }));
}
