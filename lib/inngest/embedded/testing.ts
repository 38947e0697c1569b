/**
 * The engine's secondary entry, for tests and benchmarks only (the app uses index.ts): its pure units, its tables,
 * the protocol helpers, and start/stop shortcuts for a `{ db, mode }` database handle.
 */
import {
  createEmbeddedEngine,
  processEngine,
  type EmbeddedEngine,
  type EngineLogger,
  type StartOptions,
} from "./index";
import type { EngineDb } from "./sql";

export { backoffDelay, retryAfterTime } from "./backoff";
export { callApp, callBody, type CallResult } from "./call";
export { engineContext } from "./context";
export { nextCronTime } from "./cron";
export { parseDuration, sleepTarget } from "./durations";
export { compileExpression } from "./expressions";
export { applyDiscoveryStep } from "./fast-path";
export { completeRun } from "./run-complete";
export { CheckpointDesk } from "./checkpoint";
export { eventNameMatches } from "./function-config";
export { invalidateFunctionCache } from "./function-store";
export { hashedUlid, seededUlid, ulid, ulidTime } from "./ids";
export { receiveEvents } from "./intake";
export { syncApp } from "./registry";
export * from "./schema";
export { canonicalBody, signBody } from "./signing";
export { memoizeStep } from "./steps";
export { rowsOf } from "./sql";
export { eventCutoff, purgeEventBatch, purgeRunBatch, sweepRetention } from "./retention";

let started: EmbeddedEngine | undefined;

/** Starts an engine on a test database and attaches it to this process's client; one at a time. */
export async function startEmbeddedEngine(
  options: Omit<StartOptions, "attachClient"> & {
    handle: { db: unknown; mode: "postgres" | "pglite" };
    logger?: EngineLogger;
  },
): Promise<EmbeddedEngine> {
  if (processEngine()) throw new Error("The embedded Inngest engine is already running in this process");
  const { handle, logger, ...start } = options;
  const engine = createEmbeddedEngine({
    db: handle.db as EngineDb,
    singleProcess: handle.mode === "pglite",
    ...(logger ? { logger } : {}),
  });
  await engine.start(start);
  started = engine;
  return engine;
}

export async function stopEmbeddedEngine(graceMs?: number): Promise<void> {
  const engine = started;
  started = undefined;
  await engine?.stop(graceMs);
}
