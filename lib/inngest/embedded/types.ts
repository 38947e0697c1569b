import type { EngineDb, Tx } from "./sql";

/**
 * What engine code needs besides a transaction. `dispatchEvent` and `wake` are passed in (context.ts builds them)
 * rather than imported: ending a run emits internal events, and dispatching an event can end (cancel) runs, so the
 * two modules would otherwise import each other.
 */
export interface EngineContext {
  /** Also the key of per-database caches (function definitions, engines running on it). */
  db: EngineDb;
  log: EngineLogger;
  /** Retry backoff for calls and steps. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Stores nothing: runs what a stored event does (dispatch.ts). */
  dispatchEvent(ctx: EngineContext, tx: Tx, event: EventPayload, now: Date): Promise<number>;
  /** Wakes the workers of every engine in this process on the same database after new work was queued. */
  wake(): void;
}

/** The event a function receives: what was sent, plus the id and timestamp the engine assigned. */
export interface EventPayload {
  name: string;
  data: Record<string, unknown>;
  id: string;
  ts: number;
  v?: string;
  user?: Record<string, unknown>;
}

/** Errors as the SDK serializes them ({ name, message, stack }) and as the engine stores them. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  [key: string]: unknown;
}

/** An op the SDK returns in a 206 reply. */
export interface OutgoingOp {
  id: string;
  op: string;
  name?: string;
  displayName?: string;
  opts?: Record<string, unknown> | null;
  data?: unknown;
  error?: unknown;
}

export type EngineLogger = (
  level: "debug" | "info" | "warn" | "error",
  msg: string,
  fields?: Record<string, unknown>,
) => void;

export function toSerializedError(value: unknown, fallbackName = "Error"): SerializedError {
  if (value && typeof value === "object") {
    const v = value as Record<string, unknown>;
    const message =
      typeof v.message === "string" ? v.message : typeof v.error === "string" ? v.error : JSON.stringify(v);
    return {
      ...v,
      name: typeof v.name === "string" && v.name ? v.name : fallbackName,
      message,
      ...(typeof v.stack === "string" ? { stack: v.stack } : {}),
    };
  }
  return { name: fallbackName, message: typeof value === "string" ? value : String(value) };
}
