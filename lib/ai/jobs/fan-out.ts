import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "@/db";
import { activeJobStatuses, aiJobs, type AiJob, type AiJobStatus } from "@/db/ai-schema";
import { createOrJoinJob, getJob, type NewJob } from "./ledger";

/**
 * Ledger operations of a fan-out job: one parent row, one child row per target (parent_job_id). The parent runs no
 * model; its progress is counted from its children, and it ends when the last child has ended.
 *
 * Parent states: pending (children not created yet) → running (every child row exists) → succeeded / failed /
 * cancelled. Only a running parent is settled, so a parent whose children are still being created never ends early.
 */

/**
 * `landing`: succeeded children whose output the domain has not handled yet (no landed_at). They count as unfinished
 * for at most LANDING_GRACE_MS after they succeeded, so a landing that never comes delays the parent (the sweeper
 * settles it then) but never keeps it running forever.
 */
type ChildCounts = Record<AiJobStatus, number> & { total: number; landing: number };

export const LANDING_GRACE_MS = 5 * 60_000;

export async function listChildren(db: Db, parentJobId: string): Promise<AiJob[]> {
  return db
    .select()
    .from(aiJobs)
    .where(eq(aiJobs.parentJobId, parentJobId))
    .orderBy(asc(aiJobs.createdAt), asc(aiJobs.id));
}

async function countChildren(db: Db, parentJobId: string): Promise<ChildCounts> {
  // As text: postgres-js does not bind a Date inside a raw sql fragment (PGlite does).
  const graceStart = new Date(Date.now() - LANDING_GRACE_MS).toISOString();
  const rows = await db
    .select({
      status: aiJobs.status,
      n: sql<string>`count(*)`,
      landing: sql<string>`count(*) filter (where ${aiJobs.landedAt} is null and ${aiJobs.completedAt} > ${graceStart}::timestamptz)`,
    })
    .from(aiJobs)
    .where(eq(aiJobs.parentJobId, parentJobId))
    .groupBy(aiJobs.status);
  const counts: ChildCounts = { pending: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0, total: 0, landing: 0 };
  for (const row of rows) {
    counts[row.status] = Number(row.n);
    counts.total += Number(row.n);
    if (row.status === "succeeded") counts.landing = Number(row.landing);
  }
  return counts;
}

export type ChildOutcome =
  | { outcome: "created" | "existing"; job: AiJob }
  /** The target already has an active job of its own (one per target): it is left alone. */
  | { outcome: "busy"; job: AiJob };

/**
 * Creates the parent's child for one target, once: a repeated fan-out step finds the child it made before.
 * A target that has an unrelated active job (the author pressed Generate) is reported busy, never joined.
 */
export async function createChildJob(
  db: Db,
  parentJobId: string,
  job: Omit<NewJob, "parentJobId">,
): Promise<ChildOutcome> {
  const [existing] = await db
    .select()
    .from(aiJobs)
    .where(
      and(
        eq(aiJobs.parentJobId, parentJobId),
        eq(aiJobs.targetType, job.targetType),
        eq(aiJobs.targetId, job.targetId),
      ),
    )
    .limit(1);
  if (existing) return { outcome: "existing", job: existing };
  const { job: row, created } = await createOrJoinJob(db, { ...job, parentJobId });
  if (created) return { outcome: "created", job: row };
  return row.parentJobId === parentJobId ? { outcome: "existing", job: row } : { outcome: "busy", job: row };
}

/**
 * Children written per statement. Building and reading back a statement of 500 children held the process's one event
 * loop for about 100 ms, which every Generate in flight waited for (bench:memory); 100 keep that near the rest of the
 * loop's stretches while 1,000 pages still take 30 statements, not 3,000.
 */
const CHILD_CHUNK = 100;

const targetKey = (job: { targetType: string; targetId: string }) => `${job.targetType}\u0000${job.targetId}`;

/**
 * createChildJob for many targets, in the plan's order, with a handful of statements per CHILD_CHUNK children instead
 * of three round trips each: Summarize all on 1,000 pages made 3,000 before its first summary could start. Each
 * outcome is the one createChildJob gives (a repeated step finds the children it made; a target busy with a job of
 * its own is left alone). A child that loses a race for its target to a job created meanwhile is settled one by one.
 */
export async function createChildJobs(
  db: Db,
  parentJobId: string,
  jobs: Omit<NewJob, "parentJobId">[],
): Promise<ChildOutcome[]> {
  const outcomes: ChildOutcome[] = [];
  for (let start = 0; start < jobs.length; start += CHILD_CHUNK) {
    const chunk = jobs.slice(start, start + CHILD_CHUNK);
    const targetIds = [...new Set(chunk.map((j) => j.targetId))];
    const targetTypes = [...new Set(chunk.map((j) => j.targetType))];
    const [mine, active] = await Promise.all([
      db
        .select()
        .from(aiJobs)
        .where(and(eq(aiJobs.parentJobId, parentJobId), inArray(aiJobs.targetId, targetIds))),
      db
        .select()
        .from(aiJobs)
        .where(
          and(
            inArray(aiJobs.targetType, targetTypes),
            inArray(aiJobs.targetId, targetIds),
            inArray(aiJobs.status, [...activeJobStatuses]),
          ),
        ),
    ]);
    const existing = new Map(mine.map((row) => [targetKey(row), row]));
    const busy = new Map(active.filter((row) => row.parentJobId !== parentJobId).map((row) => [targetKey(row), row]));
    // A target listed twice gets one child; its later copies find that child, as they would one by one.
    const planned = new Set<string>();
    const toInsert = chunk
      .map((job, i) => ({ job, order: start + i }))
      .filter(({ job }) => {
        const key = targetKey(job);
        if (existing.has(key) || busy.has(key) || planned.has(key)) return false;
        planned.add(key);
        return true;
      });
    const inserted = toInsert.length
      ? await db
          .insert(aiJobs)
          .values(
            toInsert.map(({ job, order }) => ({
              ...job,
              parentJobId,
              promptPayload: job.promptPayload as object,
              contextLeftOut: job.contextLeftOut as object[],
              // A microsecond apart in the plan's order, so that listChildren (created_at, id) lists them as planned:
              // one statement has a single now(). A later set's now() is later still.
              createdAt: sql`now() + ${order}::int * interval '1 microsecond'`,
            })),
          )
          // A job started on one of these targets since the reads above (the author pressed Generate): that child
          // is settled below, one by one, as createChildJob would.
          .onConflictDoNothing()
          .returning()
      : [];
    const created = new Map(inserted.map((row) => [targetKey(row), row]));
    for (const job of chunk) {
      const key = targetKey(job);
      const row = created.get(key);
      if (row) {
        outcomes.push({ outcome: "created", job: row });
        created.delete(key);
        existing.set(key, row);
      } else if (existing.has(key)) outcomes.push({ outcome: "existing", job: existing.get(key)! });
      else if (busy.has(key)) outcomes.push({ outcome: "busy", job: busy.get(key)! });
      else outcomes.push(await createChildJob(db, parentJobId, job));
    }
  }
  return outcomes;
}

/** pending → running once every child row exists. Null when the parent is no longer pending (cancelled, or done). */
export async function markFanOutRunning(db: Db, parentJobId: string): Promise<AiJob | null> {
  const [job] = await db
    .update(aiJobs)
    .set({ status: "running", startedAt: sql`coalesce(${aiJobs.startedAt}, now())`, updatedAt: new Date() })
    .where(and(eq(aiJobs.id, parentJobId), eq(aiJobs.status, "pending")))
    .returning();
  return job ?? null;
}

/**
 * Ends a running parent whose children have all ended (a succeeded child once it has also landed): failed when every child failed (with the first child's
 * code), otherwise succeeded — a partly failed revision still delivered suggestions, and its failures are listed
 * per page. Safe to call any number of times, from any path (child succeeded, failed, cancelled; the sweeper).
 */
export async function settleFanOutParent(db: Db, parentJobId: string): Promise<AiJob | null> {
  const parent = await getJob(db, parentJobId);
  if (parent?.status !== "running") return null;
  const counts = await countChildren(db, parentJobId);
  if (counts.pending + counts.running + counts.landing > 0) return null;
  const allFailed = counts.total > 0 && counts.failed === counts.total;
  let errorCode: string | null = null;
  if (allFailed) {
    const [first] = await db
      .select({ code: aiJobs.errorCode })
      .from(aiJobs)
      .where(and(eq(aiJobs.parentJobId, parentJobId), eq(aiJobs.status, "failed")))
      .orderBy(asc(aiJobs.completedAt))
      .limit(1);
    errorCode = first?.code ?? "GEN_PROVIDER_UNAVAILABLE";
  }
  const [done] = await db
    .update(aiJobs)
    .set({
      status: allFailed ? "failed" : "succeeded",
      errorCode,
      errorMessage: allFailed ? `all ${counts.total} child jobs failed` : null,
      completedAt: new Date(),
      updatedAt: new Date(),
    })
    .where(and(eq(aiJobs.id, parentJobId), eq(aiJobs.status, "running")))
    .returning();
  return done ?? null;
}

/**
 * Cancels a parent and those of its children that have not ended; finished children keep their outcome. Returns
 * the cancelled children (their runs must be told) or null when the parent had already ended.
 */
export async function cancelFanOut(db: Db, parentJobId: string): Promise<{ parent: AiJob; children: AiJob[] } | null> {
  const now = new Date();
  // One transaction: a crash between the two must not leave a cancelled revision whose children still run.
  return db.transaction(async (tx) => {
    const [parent] = await tx
      .update(aiJobs)
      .set({
        status: "cancelled",
        errorCode: "GEN_CANCELLED",
        errorMessage: "cancelled by the user",
        completedAt: now,
        updatedAt: now,
      })
      .where(and(eq(aiJobs.id, parentJobId), inArray(aiJobs.status, [...activeJobStatuses])))
      .returning();
    if (!parent) return null;
    return { parent, children: await cancelActiveChildren(tx, parentJobId) };
  });
}

export async function cancelActiveChildren(db: Db, parentJobId: string): Promise<AiJob[]> {
  const now = new Date();
  return db
    .update(aiJobs)
    .set({
      status: "cancelled",
      errorCode: "GEN_CANCELLED",
      errorMessage: "cancelled with its background revision",
      partialText: null,
      renderedPrompt: null,
      completedAt: now,
      updatedAt: now,
    })
    .where(and(eq(aiJobs.parentJobId, parentJobId), inArray(aiJobs.status, [...activeJobStatuses])))
    .returning();
}

/** Running parents whose children have all ended (a missed settle), for the sweeper. */
export async function unsettledFanOutParents(db: Db, limit = 100): Promise<string[]> {
  const rows = await db.execute<{ id: string }>(sql`
    select p.id from ${aiJobs} p
    where p.status = 'running' and p.parent_job_id is null
      and exists (select 1 from ${aiJobs} c where c.parent_job_id = p.id)
      and not exists (select 1 from ${aiJobs} c where c.parent_job_id = p.id and c.status in ('pending', 'running'))
      -- the last child's own settle (after its result landed) gets a minute before this safety net steps in
      and not exists (select 1 from ${aiJobs} c where c.parent_job_id = p.id and c.updated_at > now() - interval '1 minute')
    limit ${limit}`);
  const list = Array.isArray(rows) ? rows : (rows as { rows: { id: string }[] }).rows;
  return list.map((r) => r.id);
}
