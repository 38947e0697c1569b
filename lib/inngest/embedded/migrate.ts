import path from "node:path";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import type { EngineDb } from "./sql";

/** Where the engine's migrations are tracked: apart from the embedding app's, so the two histories never mix. */
const ENGINE_MIGRATIONS_TABLE = "__inngest_engine_migrations";
const ENGINE_MIGRATIONS_SCHEMA = "drizzle";

/**
 * The engine's migrations folder in this repository. Resolved from the working directory, not from this module's
 * URL: Next.js bundles the module elsewhere, and the bundler must not try to trace the folder.
 */
function defaultMigrationsFolder(): string {
  return path.resolve(/* turbopackIgnore: true */ process.cwd(), "lib", "inngest", "embedded", "migrations");
}

/**
 * Applies the engine's pending migrations. Every PostgreSQL driver's drizzle migrator is the same function (the
 * dialect's migrate on the database's session), so the postgres-js one serves PGlite as well.
 */
export async function migrateEngine(db: EngineDb, migrationsFolder = defaultMigrationsFolder()): Promise<void> {
  await migrate(db as never, {
    migrationsFolder,
    migrationsTable: ENGINE_MIGRATIONS_TABLE,
    migrationsSchema: ENGINE_MIGRATIONS_SCHEMA,
  });
}
