import { getDbHandle, type Db, type DbHandle } from "@/db";
import { basicContext } from "./context";
import { EmbeddedEngine, type EngineTiming } from "./engine";
import { cancelRunInTx } from "./lifecycle";
import { ensureEngineSecrets, type EngineSecrets } from "./secrets";
import { embeddedRuntime } from "./state";
import type { EngineLogger } from "./types";

export { EmbeddedEngine, type EngineTiming } from "./engine";
export { FunctionConfigError } from "./function-config";
export { SyncError } from "./registry";
export { getRun, listFunctions, listRuns, type ListRunsFilter, type RunDetail } from "./query";
export type { EventPayload, SerializedError } from "./types";

const holder = globalThis as unknown as { __storySproutInngestEngine?: EmbeddedEngine };

/**
 * Makes `inngest.send()` and the serve endpoint work in this process: loads (or creates) the engine's secrets and
 * points the in-process intake at the database. The engine itself is not started (scripts that only send events).
 */
export async function attachEmbeddedClient(handle: DbHandle, logger?: EngineLogger): Promise<EngineSecrets> {
  const runtime = embeddedRuntime();
  const secrets = await ensureEngineSecrets(handle.db);
  runtime.secrets = secrets;
  runtime.handle = handle;
  if (logger) runtime.log = logger;
  return secrets;
}

export interface StartOptions extends EngineTiming {
  handle: DbHandle;
  serveUrl: string;
  logger?: EngineLogger;
  /** Resolve only after the first successful sync (tests); the server starts it in the background. */
  waitForSync?: boolean;
}

/** Starts the process's embedded engine (one per process). */
export async function startEmbeddedEngine(options: StartOptions): Promise<EmbeddedEngine> {
  if (holder.__storySproutInngestEngine)
    throw new Error("The embedded Inngest engine is already running in this process");
  const { handle, serveUrl, logger, waitForSync = true, ...timing } = options;
  const secrets = await attachEmbeddedClient(handle, logger);
  const engine = new EmbeddedEngine({
    handle,
    serveUrl,
    signingKey: secrets.signingKey,
    ...timing,
    ...(logger ? { logger } : {}),
  });
  holder.__storySproutInngestEngine = engine;
  try {
    await engine.start({ waitForSync });
  } catch (error) {
    holder.__storySproutInngestEngine = undefined;
    throw error;
  }
  return engine;
}

export function runningEngine(): EmbeddedEngine | undefined {
  return holder.__storySproutInngestEngine;
}

export async function stopEmbeddedEngine(graceMs?: number): Promise<void> {
  const engine = holder.__storySproutInngestEngine;
  holder.__storySproutInngestEngine = undefined;
  await engine?.stop(graceMs);
}

/** Cancels a queued or running run (from any process using the same database); false if it already ended. */
export async function cancelRun(runId: string, reason = "Cancelled by request", db?: Db): Promise<boolean> {
  const database = db ?? embeddedRuntime().handle?.db ?? (await getDbHandle()).db;
  const ctx = basicContext(database, embeddedRuntime().log);
  return database.transaction((tx) => cancelRunInTx(ctx, tx, runId, reason, new Date()));
}
