import { dispatchEvent } from "./dispatch";
import { wakeLocalEngines } from "./local-engines";
import type { EngineDb } from "./sql";
import type { EngineContext, EngineLogger } from "./types";

/** Used when the embedder passes no logger: one JSON line per warning or error, nothing else. */
export const defaultLogger: EngineLogger = (level, msg, fields) => {
  if (level === "warn" || level === "error")
    console.error(JSON.stringify({ level, time: new Date().toISOString(), msg, component: "inngest", ...fields }));
};

export function engineContext(
  db: EngineDb,
  log: EngineLogger = defaultLogger,
  backoff: { backoffBaseMs?: number; backoffMaxMs?: number } = {},
): EngineContext {
  return {
    db,
    log,
    backoffBaseMs: backoff.backoffBaseMs ?? 1000,
    backoffMaxMs: backoff.backoffMaxMs ?? 300_000,
    dispatchEvent,
    wake: () => wakeLocalEngines(db),
  };
}
