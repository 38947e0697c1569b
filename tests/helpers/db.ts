import crypto from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll } from "vitest";
import { setDbHandle, type Db, type DbHandle } from "@/db";
import { openPglite, openPostgres } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { templateDatabaseName, withDatabase } from "./pg-url";

/**
 * A fresh, migrated database for one test file: a clone of the migrated template on PostgreSQL when DATABASE_URL
 * is set, an in-memory PGlite otherwise. Closing it drops the clone.
 */
export async function openTestDb(): Promise<DbHandle> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const handle = await openPglite("memory://");
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
