import { type SQL, sql } from "drizzle-orm";
import postgres from "postgres";
import { rowsOf } from "../../lib/inngest/embedded/sql";
/** The name of the migrated template database that each test file clones on a real PostgreSQL. */
export function templateDatabaseName(baseUrl: string): string {
  const base = new URL(baseUrl).pathname.replace(/^\//, "") || "postgres";
  return `${base}_tmpl`.replace(/[^a-zA-Z0-9_]/g, "_");
}

export function withDatabase(baseUrl: string, database: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * A second connection to the test's own PostgreSQL database, for race tests that hold a lock (or a transaction) from
 * outside the code under test. The caller ends it.
 */
export async function secondConnection(db: { execute: (query: SQL) => Promise<unknown> }): Promise<postgres.Sql> {
  const [row] = rowsOf<{ name: string }>(await db.execute(sql`select current_database() as name`));
  return postgres(withDatabase(process.env.DATABASE_URL!, row!.name), { max: 1, onnotice: () => {} });
}
