/**
 * The embedded Inngest engine's public entry. An embedder constructs one engine from a database and a logger, gives
 * the Inngest client `embeddedClientOptions()` (whose fetch and keys come from the attached engine), and starts it;
 * admin views read runs through `engine.query`. The engine imports nothing from the app. Tests of its pure parts use
 * the one secondary entry, `./testing`.
 */
import { EmbeddedEngine, type EmbeddedEngineOptions } from "./engine";

export type { EmbeddedEngine, EmbeddedEngineOptions, StartOptions } from "./engine";
export type { EngineTiming } from "./runner";
export type { EngineKeys } from "./secrets";
export type { LocalServeHandler } from "./local-serve";
export type { EngineDb, Tx as EngineTx } from "./sql";
export type { BeforePurgeHook, RetentionOptions, SweepResult } from "./retention";
export { IDEMPOTENCY_WINDOW_MS as DUPLICATE_EVENT_WINDOW_MS } from "./intake";
export type { EngineBacklog, ListRunsFilter, RunDetail, RunsForEventFilter } from "./query";
export type { InngestAttempt, InngestRun, InngestStep, RunStatus } from "./schema";
export type { EngineLogger, EventPayload, SerializedError } from "./types";
export { FunctionConfigError } from "./function-config";
export { SyncError } from "./registry";
export { EMBEDDED_BASE_URL } from "./transport";
export { embeddedClientOptions, processEngine } from "./process-engine";

/** The engine's one constructor: a database (and optionally a logger) in; fetch, start, stop and queries out. */
export function createEmbeddedEngine(options: EmbeddedEngineOptions): EmbeddedEngine {
  return new EmbeddedEngine(options);
}
