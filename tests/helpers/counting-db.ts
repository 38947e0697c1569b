import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import type { Db, DbHandle } from "@/db";
import * as schema from "@/db/schema";

/**
 * The test's database through a second drizzle instance over the same client, recording every statement it sends:
 * for tests that hold a path to a number of statements (round trips) whatever the size of its input.
 */
export function statementCountingDb(handle: DbHandle): { db: Db; statements: string[] } {
  const statements: string[] = [];
  const logger = { logQuery: (query: string) => void statements.push(query) };
  const client = (handle.db as unknown as { $client: never }).$client;
  const db = (handle.mode === "pglite"
    ? drizzlePglite(client, { schema, logger })
    : drizzlePostgres(client, { schema, logger })) as unknown as Db;
  return { db, statements };
}
