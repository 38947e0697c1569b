import postgres from "postgres";
import { openPostgres } from "../db/client";
import { runMigrations } from "../db/migrate";
import { templateDatabaseName, withDatabase } from "./helpers/pg-url";

/** On a real PostgreSQL, migrate one template database once; each test file then clones it (fast, isolated). */
export default async function setup() {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.log("[tests] DATABASE_URL is unset: integration tests run on in-memory PGlite.");
    return;
  }
  console.log("[tests] integration tests run on PostgreSQL (DATABASE_URL).");
  const template = templateDatabaseName(url);
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${template}" with (force)`);
    await admin.unsafe(`create database "${template}"`);
  } finally {
    await admin.end();
  }
  const handle = openPostgres(withDatabase(url, template), { max: 1 });
  try {
    await runMigrations(handle);
  } finally {
    await handle.close();
  }
}
