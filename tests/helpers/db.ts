import crypto from "node:crypto";
import fs from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import postgres from "postgres";
import { afterAll, beforeAll, inject } from "vitest";
import { setDbHandle, type Db, type DbHandle } from "@/db";
import { openPglite, openPostgres } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import * as schema from "@/db/schema";
import { templateDatabaseName, withDatabase } from "./pg-url";

/** Path of a dumped, migrated PGlite data directory, provided by tests/global-setup.ts when DATABASE_URL is unset. */
export const PGLITE_TEMPLATE_KEY = "pgliteTemplate";
declare module "vitest" {
  interface ProvidedContext {
    pgliteTemplate: string;
  }
}

/**
 * An in-memory PGlite loaded from the migrated template (much faster than initdb + migrations), built the same way
 * as openPglite("memory://") builds its handle. Falls back to a fresh database when there is no template.
 */
async function openPgliteFromTemplate(): Promise<DbHandle | undefined> {
  let file: string | undefined;
  try {
    file = inject(PGLITE_TEMPLATE_KEY);
  } catch {
    return undefined; // not running under vitest's runner
  }
  if (!file || !fs.existsSync(file)) return undefined;
  const client = await PGlite.create({ loadDataDir: new Blob([fs.readFileSync(file)]) });
  return {
    db: drizzlePglite(client, { schema }) as unknown as Db,
    mode: "pglite",
    close: () => client.close(),
  };
}

/**
 * A fresh, migrated database for one test file: a clone of the migrated template on PostgreSQL when DATABASE_URL
 * is set, an in-memory PGlite otherwise. Closing it drops the clone.
 */
async function openTestDb(): Promise<DbHandle> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const handle = (await openPgliteFromTemplate()) ?? (await openPglite("memory://"));
    // A no-op for the template (already migrated); applies everything to a fresh database.
    await runMigrations(handle);
    return handle;
  }
  const name = `ss_test_${crypto.randomBytes(6).toString("hex")}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}" template "${templateDatabaseName(url)}"`);
  } finally {
    await admin.end();
  }
  const handle = openPostgres(withDatabase(url, name), { max: 5 });
  return {
    ...handle,
    close: async () => {
      await handle.close();
      const dropper = postgres(url, { max: 1, onnotice: () => {} });
      try {
        await dropper.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/** Installs a fresh database as the app's database for the tests of the calling file. */
export function useTestDb(): { db: () => Db; handle: () => DbHandle } {
  let handle: DbHandle | undefined;
  beforeAll(async () => {
    handle = await openTestDb();
    setDbHandle(handle);
  });
  afterAll(async () => {
    setDbHandle(undefined);
    await handle?.close();
  });
  return {
    db: () => handle!.db,
    handle: () => handle!,
  };
}
