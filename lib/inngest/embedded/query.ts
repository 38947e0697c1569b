import { and, asc, desc, eq, inArray, lt, lte, or, sql, type SQL } from "drizzle-orm";
import { rowsOf, type EngineDb } from "./sql";
import {
  inngestAttempts,
  inngestFunctions,
  inngestInstances,
  inngestQueue,
  inngestRuns,
  inngestSteps,
  type InngestAttempt,
  type InngestRun,
  type InngestStep,
  type RunStatus,
} from "./schema";

/**
 * Read-only views of the engine's state for admin pages and tests: runs with their status, timings, output and
 * error; each run's steps (memoized results, attempts, errors) and every call the engine made for it.
 */

export interface RunDetail {
  run: InngestRun;
  steps: InngestStep[];
  attempts: InngestAttempt[];
}

export interface ListRunsFilter {
  functionId?: string;
  status?: RunStatus;
  /** Keyset pagination: runs created before this run id (ids sort by creation time). */
  before?: string;
  limit?: number;
}

export async function listRuns(db: EngineDb, filter: ListRunsFilter = {}): Promise<InngestRun[]> {
  const where: SQL[] = [];
  if (filter.functionId) where.push(eq(inngestRuns.functionId, filter.functionId));
  if (filter.status) where.push(eq(inngestRuns.status, filter.status));
  if (filter.before) where.push(lt(inngestRuns.id, filter.before));
  return db
    .select()
    .from(inngestRuns)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(inngestRuns.id))
    .limit(Math.min(Math.max(filter.limit ?? 50, 1), 500));
}

export async function getRun(db: EngineDb, runId: string): Promise<RunDetail | null> {
  const [run] = await db.select().from(inngestRuns).where(eq(inngestRuns.id, runId));
  if (!run) return null;
  const steps = await db
    .select()
    .from(inngestSteps)
    .where(eq(inngestSteps.runId, runId))
    .orderBy(asc(inngestSteps.seq), asc(inngestSteps.createdAt));
  const attempts = await db
    .select()
    .from(inngestAttempts)
    .where(eq(inngestAttempts.runId, runId))
    .orderBy(asc(inngestAttempts.id));
  return { run, steps, attempts };
}

export interface RunsForEventFilter {
  /** Fields the triggering event's `data` must contain (JSON containment), e.g. `{ jobId }`. */
  data: Record<string, string | number | boolean>;
  /** Runs created in this window (keeps the lookup on the runs' time index). */
  from?: Date;
  to?: Date;
  limit?: number;
}

/**
 * The runs an event started, oldest first, with their steps (in completion order) and calls: runs whose event data
 * contains `filter.data`, and the runs of handlers that received such an event wrapped in an internal event
 * (`inngest/function.failed` → `onFailure`, `.finished`, `.cancelled` carry the original as `data.event`).
 */
export async function runsForEvent(db: EngineDb, filter: RunsForEventFilter): Promise<RunDetail[]> {
  const where: (SQL | undefined)[] = [
    or(
      sql`${inngestRuns.event} @> ${JSON.stringify({ data: filter.data })}::jsonb`,
      sql`${inngestRuns.event} @> ${JSON.stringify({ data: { event: { data: filter.data } } })}::jsonb`,
    ),
  ];
  if (filter.from) where.push(sql`${inngestRuns.createdAt} >= ${filter.from.toISOString()}::timestamptz`);
  if (filter.to) where.push(lte(inngestRuns.createdAt, filter.to));
  const runs = await db
    .select()
    .from(inngestRuns)
    .where(and(...where))
    .orderBy(asc(inngestRuns.createdAt))
    .limit(Math.min(Math.max(filter.limit ?? 20, 1), 500));
  if (runs.length === 0) return [];
  const runIds = runs.map((r) => r.id);
  const [steps, attempts] = await Promise.all([
    db.select().from(inngestSteps).where(inArray(inngestSteps.runId, runIds)).orderBy(asc(inngestSteps.createdAt)),
    db.select().from(inngestAttempts).where(inArray(inngestAttempts.runId, runIds)).orderBy(asc(inngestAttempts.id)),
  ]);
  return runs.map((run) => ({
    run,
    steps: steps.filter((s) => s.runId === run.id).sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity)),
    attempts: attempts.filter((a) => a.runId === run.id),
  }));
}

export async function listFunctions(db: EngineDb) {
  return db
    .select({
      id: inngestFunctions.id,
      name: inngestFunctions.name,
      active: inngestFunctions.active,
      retries: inngestFunctions.retries,
      config: inngestFunctions.config,
      syncedAt: inngestFunctions.syncedAt,
    })
    .from(inngestFunctions)
    .orderBy(asc(inngestFunctions.id));
}

/** Calls made again after a failed attempt (attempt > 0), per function: the engine's retry counter for metrics. */
export async function retriesByFunction(db: EngineDb): Promise<{ functionId: string; retries: number }[]> {
  const rows = await db
    .select({ functionId: inngestRuns.functionId, retries: sql<number>`count(*)::int` })
    .from(inngestAttempts)
    .innerJoin(inngestRuns, eq(inngestRuns.id, inngestAttempts.runId))
    .where(sql`${inngestAttempts.attempt} > 0`)
    .groupBy(inngestRuns.functionId);
  return rows.map((r) => ({ functionId: r.functionId, retries: Number(r.retries) }));
}

/** How far behind the engine is, for health checks: what waits, for how long, and which instances are alive. */
export interface EngineBacklog {
  /** Queue items due now and not leased: work the engine has not picked up yet. */
  due: number;
  /** Items held back by a concurrency limit (they wait for a slot, not for the engine). */
  parked: number;
  /** Items being worked on. */
  leased: number;
  /** How long the oldest due item has been waiting, in milliseconds (0 when none waits): the engine's lag. */
  lagMs: number;
  /** Instances with their heartbeat age in milliseconds (database time), newest beat first. */
  instances: { id: string; heartbeatAgeMs: number }[];
}

export async function backlog(db: EngineDb): Promise<EngineBacklog> {
  const [counts] = rowsOf<{
    due: number | string;
    parked: number | string;
    leased: number | string;
    lag: number | string;
  }>(
    await db.execute(sql`
      select
        count(*) filter (where lease_until is null and parked_on is null and available_at <= now()) as due,
        count(*) filter (where parked_on is not null) as parked,
        count(*) filter (where lease_until is not null) as leased,
        coalesce(extract(epoch from (now() - min(available_at)
          filter (where lease_until is null and parked_on is null and available_at <= now()))) * 1000, 0) as lag
      from ${inngestQueue}`),
  );
  const instances = rowsOf<{ id: string; age: number | string }>(
    await db.execute(sql`
      select ${inngestInstances.id} as id, extract(epoch from (now() - ${inngestInstances.heartbeatAt})) * 1000 as age
      from ${inngestInstances} order by ${inngestInstances.heartbeatAt} desc`),
  );
  return {
    due: Number(counts?.due ?? 0),
    parked: Number(counts?.parked ?? 0),
    leased: Number(counts?.leased ?? 0),
    lagMs: Math.max(0, Math.round(Number(counts?.lag ?? 0))),
    instances: instances.map((i) => ({ id: i.id, heartbeatAgeMs: Math.max(0, Math.round(Number(i.age))) })),
  };
}
