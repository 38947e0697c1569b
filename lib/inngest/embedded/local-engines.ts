/**
 * Engines whose workers run in this process, by database. Module state, not globalThis: the intake that wakes them
 * is always reached through an engine object (its `fetch`), so it runs in the same module instance as the workers
 * even when Next.js bundles the caller separately.
 */
const running = new Map<object, Set<() => void>>();

/** Registers an engine's waker on a database; returns how many engines here were already running on it. */
export function addLocalEngine(db: object, wake: () => void): number {
  const set = running.get(db) ?? new Set();
  const before = set.size;
  set.add(wake);
  running.set(db, set);
  return before;
}

export function removeLocalEngine(db: object, wake: () => void): void {
  const set = running.get(db);
  set?.delete(wake);
  if (set && !set.size) running.delete(db);
}

/** New work was queued on this database: every local engine on it looks at the queue now instead of at its next poll. */
export function wakeLocalEngines(db: object): void {
  for (const wake of running.get(db) ?? []) wake();
}
