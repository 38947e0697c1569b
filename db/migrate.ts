import path from "node:path";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import { createEmbeddedEngine } from "../lib/inngest/embedded";
import type { DbHandle } from "./client";

export const migrationsFolder = path.join(process.cwd(), "db", "migrations");

export async function runMigrations(handle: DbHandle): Promise<void> {
  // Both migrators apply the same committed SQL and record it in drizzle.__drizzle_migrations.
  if (handle.mode === "pglite") {
    await migratePglite(handle.db as never, { migrationsFolder });
  } else {
    await migratePostgres(handle.db as never, { migrationsFolder });
  }
  // Then the embedded engine's own migrations (its folder, its own table). The engine is a self-contained module that
  // imports nothing from the app, so depending on it from here is like depending on a library. It runs in every
  // mode: with an external Inngest its tables simply stay empty.
  await createEmbeddedEngine({ db: handle.db }).migrate();
}
