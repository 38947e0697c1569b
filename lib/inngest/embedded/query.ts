import { and, asc, desc, eq, lt, type SQL } from "drizzle-orm";
import type { Db } from "@/db";
import {
  inngestAttempts,
  inngestFunctions,
  inngestRuns,
  inngestSteps,
  type InngestAttempt,
  type InngestRun,
  type InngestStep,
  type RunStatus,
} from "@/db/engine-schema";

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

export async function listRuns(db: Db, filter: ListRunsFilter = {}): Promise<InngestRun[]> {
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

export async function getRun(db: Db, runId: string): Promise<RunDetail | null> {
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

export async function listFunctions(db: Db) {
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
