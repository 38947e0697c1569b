import { eq } from "drizzle-orm";
import { inngestFunctions, type InngestFunctionRow } from "./schema";
import { parseFunctionConfigs, type FunctionDef } from "./function-config";
import type { Executor } from "./sql";

/**
 * Registered functions, read from the database and parsed once per sync. Event intake and the workers need them
 * on every event and every call, so the list is cached: a sync in this process clears the cache, a sync by another
 * instance clears it through its NOTIFY (FUNCTIONS_CHANGED, runner.ts), and CACHE_MS bounds how long a list stays
 * when a notification is lost (LISTEN down, falling back to polling). It was 1 s: a Generate every second or more
 * apart then read the functions on its way to the model.
 */
const CACHE_MS = 30_000;

interface Cache {
  loadedAt: number;
  all: Map<string, FunctionDef & { active: boolean }>;
}

const caches = new WeakMap<object, Cache>();
/**
 * Invalidations per database: a list read while a sync committed may predate it, so a read is cached only when no
 * invalidation came while it was in flight (else it would live 30 s with the functions of before that sync).
 */
const invalidations = new WeakMap<object, number>();
const parsed = new Map<string, FunctionDef>();

function parseRow(row: InngestFunctionRow): FunctionDef {
  const cacheKey = `${row.id}|${row.syncedAt.getTime()}`;
  let def = parsed.get(cacheKey);
  if (!def) {
    [def] = parseFunctionConfigs([row.config], row.appId) as [FunctionDef];
    parsed.set(cacheKey, def);
  }
  return def;
}

async function load(db: Executor, cacheOwner: object): Promise<Cache> {
  const hit = caches.get(cacheOwner);
  if (hit && Date.now() - hit.loadedAt < CACHE_MS) return hit;
  const seen = invalidations.get(cacheOwner) ?? 0;
  const rows = await db.select().from(inngestFunctions);
  const all = new Map<string, FunctionDef & { active: boolean }>();
  for (const row of rows) {
    try {
      all.set(row.id, { ...parseRow(row), active: row.active });
    } catch {
      // A stored config that no longer parses (engine downgraded) is treated as not registered.
    }
  }
  const cache = { loadedAt: Date.now(), all };
  if ((invalidations.get(cacheOwner) ?? 0) === seen) caches.set(cacheOwner, cache);
  return cache;
}

/** `cacheOwner` is the engine's database object: caches are per database (tests and the benchmark open several). */
export async function activeFunctions(db: Executor, cacheOwner: object): Promise<FunctionDef[]> {
  const cache = await load(db, cacheOwner);
  return [...cache.all.values()].filter((f) => f.active);
}

export async function findFunction(db: Executor, cacheOwner: object, id: string): Promise<FunctionDef | undefined> {
  const cache = await load(db, cacheOwner);
  const fn = cache.all.get(id);
  if (fn?.active) return fn;
  // Not in the cache (registered by another instance a moment ago): look once in the database.
  const [row] = await db.select().from(inngestFunctions).where(eq(inngestFunctions.id, id));
  if (!row?.active) return undefined;
  invalidateFunctionCache(cacheOwner);
  return parseRow(row);
}

export function invalidateFunctionCache(cacheOwner: object): void {
  invalidations.set(cacheOwner, (invalidations.get(cacheOwner) ?? 0) + 1);
  caches.delete(cacheOwner);
}
