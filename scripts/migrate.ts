// Applies the committed SQL migrations to DATABASE_URL (or the embedded database when it is unset).
import { defaultPgliteDir, openPglite, openPostgres } from "../db/client";
import { runMigrations } from "../db/migrate";

const url = process.env.DATABASE_URL;
const handle = url ? openPostgres(url, { max: 1 }) : await openPglite(defaultPgliteDir());
try {
  await runMigrations(handle);
  console.log(`Migrations applied to ${url ? "PostgreSQL" : `the embedded database in ${defaultPgliteDir()}`}.`);
} catch (error) {
  console.error("Migration failed:", error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await handle.close();
}
