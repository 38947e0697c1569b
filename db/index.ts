import "server-only";
import { defaultPgliteDir, openPglite, openPostgres, type Db, type DbHandle } from "./client";
import { runMigrations } from "./migrate";

export type { Db, DbHandle } from "./client";

// One handle per process: PGlite may only be opened once, and dev hot reload re-evaluates modules.
const globalForDb = globalThis as unknown as { __storySproutDb?: Promise<DbHandle> };

async function openFromEnvironment(): Promise<DbHandle> {
  const url = process.env.DATABASE_URL;
  if (url) return openPostgres(url);
  const handle = await openPglite(defaultPgliteDir());
  await runMigrations(handle);
  return handle;
}

export function getDbHandle(): Promise<DbHandle> {
  if (!globalForDb.__storySproutDb) {
    globalForDb.__storySproutDb = openFromEnvironment();
    // A failed open must not be cached forever: the next request retries (e.g. after the other process stopped).
    globalForDb.__storySproutDb.catch(() => {
      globalForDb.__storySproutDb = undefined;
    });
  }
  return globalForDb.__storySproutDb;
}

export async function getDb(): Promise<Db> {
  return (await getDbHandle()).db;
}

/** Used by tests and scripts to run the app's code against a database they opened themselves. */
export function setDbHandle(handle: DbHandle | undefined): void {
  globalForDb.__storySproutDb = handle ? Promise.resolve(handle) : undefined;
}

export function isEmbeddedDatabase(): boolean {
  return !process.env.DATABASE_URL;
}
