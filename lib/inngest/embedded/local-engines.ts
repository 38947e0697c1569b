import type { Claimed } from "./queue";

/**
 * Engines whose workers run in this process, by database. Module state, not globalThis: the intake that wakes them
 * is always reached through an engine object (its `fetch`), so it runs in the same module instance as the workers
 * even when Next.js bundles the caller separately.
 */

/** A worker of a local engine set aside for one item: the intake leases the item to it, then hands it over. */
export interface ReservedWorker {
  owner: string;
  leaseMs: number;
  /** The item is leased to `owner` and committed: the worker runs it as if it had claimed it. */
  launch(item: Claimed): void;
  /** Nothing was leased: the worker goes back to claiming. */
  release(): void;
}

export interface LocalEngine {
  wake(): void;
  /** A free worker set aside, or undefined when every worker is busy (or the engine is not running its workers). */
  reserveWorker(): ReservedWorker | undefined;
}

const running = new Map<object, Set<LocalEngine>>();

/** Registers an engine on a database; returns how many engines here were already running on it. */
export function addLocalEngine(db: object, engine: LocalEngine): number {
  const set = running.get(db) ?? new Set();
  const before = set.size;
  set.add(engine);
  running.set(db, set);
  return before;
}

export function removeLocalEngine(db: object, engine: LocalEngine): void {
  const set = running.get(db);
  set?.delete(engine);
  if (set && !set.size) running.delete(db);
}

/** New work was queued on this database: every local engine on it looks at the queue now instead of at its next poll. */
export function wakeLocalEngines(db: object): void {
  for (const engine of running.get(db) ?? []) engine.wake();
}

/** A free worker of an engine running in this process on this database, set aside for the caller. */
export function reserveLocalWorker(db: object): ReservedWorker | undefined {
  for (const engine of running.get(db) ?? []) {
    const worker = engine.reserveWorker();
    if (worker) return worker;
  }
  return undefined;
}
