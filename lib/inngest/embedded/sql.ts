import type { Db } from "@/db";

/** A database or an open transaction: engine helpers run inside either. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type Executor = Db | Tx;

/** `db.execute` returns an array on postgres-js and `{ rows }` on PGlite; engine code only wants the rows. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  const rows = (result as { rows?: unknown }).rows;
  return Array.isArray(rows) ? (rows as T[]) : [];
}

/** Raw driver client (postgres-js `Sql` or PGlite) behind a drizzle database, for LISTEN. */
export function driverClient(db: Db): unknown {
  return (db as unknown as { $client: unknown }).$client;
}
