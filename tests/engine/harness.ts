import { eq } from "drizzle-orm";
import type { InngestFunction } from "inngest";
import { afterAll, beforeAll } from "vitest";
import type { Db, DbHandle } from "@/db";
import {
  createEmbeddedEngine,
  type EmbeddedEngine,
  type EngineLogger,
  type EngineTiming,
  type InngestRun,
} from "@/lib/inngest/embedded";
import { inngestRuns } from "@/lib/inngest/embedded/testing";
import { localServeHandler } from "@/lib/inngest/serve";
import { useTestDb } from "../helpers/db";
import { serveFunctions } from "./serve-functions";

export { serveFunctions };

/** Engine timings for tests: fast polling and backoff so retries take milliseconds, not minutes. */
export const fastTiming: EngineTiming = {
  workers: 8,
  pollIntervalMs: 50,
  schedulerIntervalMs: 25,
  backoffBaseMs: 20,
  backoffMaxMs: 200,
  leaseMs: 5000,
  concurrencyRecheckMs: 10,
  syncRetryMs: 50,
};

export interface LogLine {
  level: string;
  msg: string;
  fields: Record<string, unknown>;
}

/** Keeps engine logs for assertions; prints them only with DEBUG set. */
export function captureLogs(): { logger: EngineLogger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    logger: (level, msg, fields = {}) => {
      lines.push({ level, msg, fields });
      if (process.env.DEBUG)
        console.log(JSON.stringify({ t: new Date().toISOString().slice(17, 23), level, msg, ...fields }));
    },
  };
}

/**
 * The suites run with the engine handing its calls to the serve handler in-process, as the app does under
 * `next start` (and so with checkpointing); ENGINE_CALLS=http runs them over loopback HTTP instead, one step per call
 * (`npm run test:engine:http`, part of `npm test`). The loopback server runs either way for tests that call it.
 */
const IN_PROCESS = process.env.ENGINE_CALLS !== "http";

/**
 * A test file's engine: a fresh migrated database (PGlite in memory, or a PostgreSQL clone with DATABASE_URL),
 * the functions served by the real handler, and the embedded engine driving them.
 */
export function useEngine(functions: () => InngestFunction.Any[], timing: EngineTiming = {}) {
  const testDb = useTestDb();
  const logs = captureLogs();
  let served: { url: string; close(): Promise<void> } | undefined;
  let engine: EmbeddedEngine | undefined;
  beforeAll(async () => {
    const fns = functions();
    served = await serveFunctions(fns);
    const handle = testDb.handle();
    engine = createEmbeddedEngine({ db: handle.db, logger: logs.logger, singleProcess: handle.mode === "pglite" });
    await engine.start({
      serveUrl: served.url,
      ...(IN_PROCESS ? { localServe: localServeHandler(fns) } : {}),
      ...fastTiming,
      ...timing,
    });
  });
  afterAll(async () => {
    await engine?.stop(2000);
    await served?.close();
  });
  return {
    db: (): Db => testDb.db(),
    handle: (): DbHandle => testDb.handle(),
    engine: (): EmbeddedEngine => engine!,
    url: (): string => served!.url,
    logs: logs.lines,
  };
}

export async function waitFor<T>(
  check: () => Promise<T | undefined | null | false>,
  { timeoutMs = 20_000, intervalMs = 20, what = "condition" } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function runsOf(db: Db, functionId: string): Promise<InngestRun[]> {
  return db
    .select()
    .from(inngestRuns)
    .where(eq(inngestRuns.functionId, `story-sprout-${functionId}`));
}

/** Waits until the function has `count` runs and all of them ended; returns them oldest first. */
export async function waitForRuns(db: Db, functionId: string, count = 1, timeoutMs = 20_000): Promise<InngestRun[]> {
  return waitFor(
    async () => {
      const runs = await runsOf(db, functionId);
      const ended = runs.filter((r) => !["queued", "running"].includes(r.status));
      return runs.length >= count && ended.length === runs.length
        ? runs.sort((a, b) => a.id.localeCompare(b.id))
        : null;
    },
    { timeoutMs, what: `${count} finished run(s) of ${functionId}` },
  );
}

export async function waitForRun(db: Db, runId: string, timeoutMs = 20_000): Promise<InngestRun> {
  return waitFor(
    async () => {
      const [run] = await db.select().from(inngestRuns).where(eq(inngestRuns.id, runId));
      return run && !["queued", "running"].includes(run.status) ? run : null;
    },
    { timeoutMs, what: `run ${runId} to end` },
  );
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
