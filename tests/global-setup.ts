import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { openPglite, openPostgres } from "../db/client";
import { runMigrations } from "../db/migrate";
import { PGLITE_TEMPLATE_KEY } from "./helpers/db";
import { templateDatabaseName, withDatabase } from "./helpers/pg-url";

/**
 * Vitest 5 prints failures with Map.groupBy / Object.groupBy (Node >= 21). On Node 20 a failing test then crashes the
 * reporter ("Map.groupBy is not a function") instead of showing the assertion. Global setup runs in the main vitest
 * process, where the reporter runs, so the polyfill goes here. A no-op on Node >= 21.
 */
function polyfillGroupBy(): void {
  const group = <K, T>(items: Iterable<T>, key: (item: T, index: number) => K): Map<K, T[]> => {
    const groups = new Map<K, T[]>();
    let index = 0;
    for (const item of items) {
      const k = key(item, index++);
      const list = groups.get(k);
      if (list) list.push(item);
      else groups.set(k, [item]);
    }
    return groups;
  };
  const mapCtor = Map as unknown as { groupBy?: unknown };
  mapCtor.groupBy ??= group;
  const objectCtor = Object as unknown as { groupBy?: unknown };
  objectCtor.groupBy ??= <T>(items: Iterable<T>, key: (item: T, index: number) => PropertyKey) =>
    Object.assign(Object.create(null) as object, Object.fromEntries(group(items, key)));
}
polyfillGroupBy();

/**
 * On PGlite, initdb takes seconds per database (more on a busy machine), while loading a dumped data directory takes
 * a fraction of that. So one in-memory PGlite is migrated here and dumped to a file; each test file loads a copy.
 */
async function buildPgliteTemplate(): Promise<{ file: string; cleanup: () => void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ss-pglite-template-"));
  const file = path.join(dir, "migrated.tar");
  const handle = await openPglite("memory://");
  try {
    await runMigrations(handle);
    const client = (handle.db as unknown as { $client: PGlite }).$client;
    const dump = await client.dumpDataDir("none");
    fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  } finally {
    await handle.close();
  }
  return { file, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** On a real PostgreSQL, migrate one template database once; each test file then clones it (fast, isolated). */
export default async function setup(project: TestProject) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.log("[tests] DATABASE_URL is unset: integration tests run on in-memory PGlite.");
    const template = await buildPgliteTemplate();
    project.provide(PGLITE_TEMPLATE_KEY, template.file);
    return template.cleanup;
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
