import { defineConfig } from "drizzle-kit";

// The app's tables only. The embedded engine's tables (inngest_*) have their own schema and migrations in
// lib/inngest/embedded (see docs/ENGINE.md); db/migrations/0005_engine_handover.sql took them out of this snapshot.
export default defineConfig({
  dialect: "postgresql",
  schema: [
    "./db/schema.ts",
    "./db/ai-schema.ts",
    "./db/suggestions-schema.ts",
    "./db/api-tokens-schema.ts",
    "./db/memory-schema.ts",
    "./db/prompts-schema.ts",
    "./db/import-schema.ts",
    "./db/translations-schema.ts",
    "./db/illustrations-schema.ts",
  ],
  out: "./db/migrations",
  dbCredentials: { url: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres" },
});
