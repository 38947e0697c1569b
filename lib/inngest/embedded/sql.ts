import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";

/**
 * The database the engine works in: any Drizzle PostgreSQL database (postgres-js or PGlite). The engine queries only
 * its own tables (schema.ts), so the caller's schema type does not matter.
 */
export type EngineDb = PgDatabase<PgQueryResultHKT, Record<string, unknown>>;

/** A database or an open transaction: engine helpers run inside either. */
export type Tx = Parameters<Parameters<EngineDb["transaction"]>[0]>[0];
export type Executor = EngineDb | Tx;

/** `db.execute` returns an array on postgres-js and `{ rows }` on PGlite; engine code only wants the rows. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  const rows = (result as { rows?: unknown }).rows;
  return Array.isArray(rows) ? (rows as T[]) : [];
}

/** Raw driver client (postgres-js `Sql` or PGlite) behind a drizzle database, for LISTEN. */
export function driverClient(db: EngineDb): unknown {
  return (db as unknown as { $client: unknown }).$client;
}
