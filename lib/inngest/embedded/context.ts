import type { Db } from "@/db";
import { log as appLog } from "@/lib/log";
import type { EngineLogger } from "./types";

/** What engine code needs besides a transaction: the database (also the key of per-database caches) and a logger. */
export interface EngineContext {
  db: Db;
  log: EngineLogger;
  /** Retry backoff for calls and steps. */
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export const defaultLogger: EngineLogger = (level, msg, fields) =>
  appLog(level, msg, { component: "inngest", ...fields });

export function basicContext(db: Db, log: EngineLogger = defaultLogger): EngineContext {
  return { db, log, backoffBaseMs: 1000, backoffMaxMs: 300_000 };
}
