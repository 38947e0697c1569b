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
export async function secondConnection(db: QueryableDb): Promise<postgres.Sql> {
  return postgres(await testDatabaseUrl(db), { max: 1, onnotice: () => {} });
}

/** The address of the test's own PostgreSQL database (the clone `db` is connected to), for a pool of a test's own. */
export async function testDatabaseUrl(db: QueryableDb): Promise<string> {
  const [row] = rowsOf<{ name: string }>(await db.execute(sql`select current_database() as name`));
  return withDatabase(process.env.DATABASE_URL!, row!.name);
}

type QueryableDb = { execute: (query: SQL) => Promise<unknown> };
