-- Nothing to change in the database. The embedded engine's tables (inngest_*, created by 0001_engine.sql) now belong
-- to the engine's own schema and migrations (lib/inngest/embedded/schema.ts, lib/inngest/embedded/migrations). This
-- entry only records, in meta/0005_snapshot.json, that the app's schema no longer describes them, so that
-- `npm run db:generate` neither drops them nor sees engine changes. Never replace this with the DROP statements
-- drizzle-kit proposed for it.
SELECT 1;
