import "server-only";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { acquireDirLock, type DirLock } from "./pglite-lock";
import { CUSTOM_PLANS, preparingStatements } from "./prepared-statements";
import { transactionsOnReservedConnections } from "./reserved-transactions";
import * as schema from "./schema";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
type DbMode = "postgres" | "pglite";

export interface DbHandle {
  db: Db;
  mode: DbMode;
  close(): Promise<void>;
}

export function defaultPgliteDir(): string {
  // The path is only known at run time: keep the bundler from tracing the whole project for it.
  return path.resolve(
    /* turbopackIgnore: true */ process.env.PGLITE_DIR ?? path.join(process.cwd(), ".data", "pglite"),
  );
}

interface PostgresOptions {
  max?: number;
  prepare?: boolean;
  /** postgres.js's pipeline depth per connection; tests lower it to reach its limit with few queries. */
  maxPipeline?: number;
}

export function openPostgres(url: string, options: PostgresOptions = {}): DbHandle {
  const prepare = options.prepare ?? process.env.DATABASE_PREPARED_STATEMENTS !== "off";
  const client = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    ...(options.maxPipeline ? { max_pipeline: options.maxPipeline } : {}),
    // Off means off for every statement: Drizzle asks to prepare each named query (db/prepared-queries.ts), and the
    // client's setting is the one that overrides it.
    prepare,
    ...(prepare ? { connection: CUSTOM_PLANS } : {}),
  });
  // Before preparingStatements, which wraps the transaction entry points it finds.
  transactionsOnReservedConnections(client);
  if (prepare) preparingStatements(client);
  return {
    db: drizzlePostgres(client, { schema }) as unknown as Db,
    mode: "postgres",
    close: () => client.end({ timeout: 5 }),
  };
}

/** Opens PGlite on a directory (locked for this process) or in memory when dataDir is "memory://". */
export async function openPglite(dataDir: string): Promise<DbHandle> {
  let lock: DirLock | undefined;
  if (!dataDir.startsWith("memory://")) lock = acquireDirLock(dataDir);
  try {
    const client = await PGlite.create(dataDir);
    return {
      db: drizzlePglite(client, { schema }) as unknown as Db,
      mode: "pglite",
      close: async () => {
        await client.close();
        lock?.release();
      },
    };
  } catch (error) {
    lock?.release();
    throw error;
  }
}
