import type { DbHandle } from "@/db";
import type { EngineSecrets } from "./secrets";
import type { EngineLogger } from "./types";

/**
 * What the embedded engine shares with the rest of the process. It sits on globalThis because Next.js bundles
 * instrumentation (which starts the engine) and route handlers (which run the client) separately: module-level
 * variables would not be shared between them.
 */
export interface EmbeddedRuntime {
  /** Loaded at engine start; the client reads them lazily (signing key for serve(), event key for send()). */
  secrets?: EngineSecrets;
  /** The database the intake writes to when an engine runs in this process. */
  handle?: DbHandle;
  /** The engine's logger, for intake running in this process. */
  log?: EngineLogger;
  /** Wakes this process's workers at once after new work was queued here. */
  wakers: Set<() => void>;
}

const holder = globalThis as unknown as { __storySproutInngest?: EmbeddedRuntime };

export function embeddedRuntime(): EmbeddedRuntime {
  holder.__storySproutInngest ??= { wakers: new Set() };
  return holder.__storySproutInngest;
}

export function wakeLocalWorkers(): void {
  for (const wake of embeddedRuntime().wakers) wake();
}
