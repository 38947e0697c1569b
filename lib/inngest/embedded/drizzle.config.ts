import { defineConfig } from "drizzle-kit";

/**
 * The engine's own migrations: `npx drizzle-kit generate --config lib/inngest/embedded/drizzle.config.ts` after a
 * change to schema.ts. They are applied by `migrateEngine` (migrate.ts), tracked in drizzle.__inngest_engine_migrations,
 * separately from the app's migrations.
 */
export default defineConfig({
  dialect: "postgresql",
  schema: "./lib/inngest/embedded/schema.ts",
  out: "./lib/inngest/embedded/migrations",
  migrations: { table: "__inngest_engine_migrations", schema: "drizzle" },
  dbCredentials: { url: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres" },
});
