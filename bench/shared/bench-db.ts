/*
 * A migrated database handle for benchmarks that drive the library in-process (not through `next start`): a fresh
 * PostgreSQL database dropped afterwards, so runs never see each other's rows.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import postgres from "postgres";
import type { DbHandle } from "@/db";
import { openPostgres } from "@/db/client";
import { runMigrations } from "@/db/migrate";

/** The URL with its password masked, for reports and error messages. */
export function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}

export class PostgresUnreachable extends Error {}

/**
 * Runs `bench` on a fresh, migrated database on the server of `baseUrl`, dropped afterwards. Throws
 * PostgresUnreachable when the server does not answer, so a caller can report the run as skipped.
 */
export async function withFreshPostgres<T>(
  baseUrl: string,
  prefix: string,
  bench: (label: string, handle: DbHandle) => Promise<T>,
  options: { max?: number } = {},
): Promise<T> {
  const name = `${prefix}_${crypto.randomBytes(4).toString("hex")}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    await admin.unsafe(`create database "${name}"`);
  } catch (error) {
    throw new PostgresUnreachable(`PostgreSQL not reachable at ${redactUrl(baseUrl)} (${(error as Error).message})`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const handle = openPostgres(url.toString(), options);
  try {
    await runMigrations(handle);
    return await bench("PostgreSQL (loopback)", handle);
  } finally {
    await handle.close();
    const dropper = postgres(baseUrl, { max: 1, onnotice: () => {} });
    await dropper.unsafe(`drop database if exists "${name}" with (force)`).finally(() => dropper.end());
  }
}

/** CPU, memory, OS and the versions of the packages a library-level benchmark exercises. */
export function machineWithVersions(packages: string[] = ["inngest", "ai", "@electric-sql/pglite"]): string {
  const cpuinfo = fs.existsSync("/proc/cpuinfo") ? fs.readFileSync("/proc/cpuinfo", "utf8") : "";
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model.trim() ?? "unknown CPU";
  const version = (pkg: string) =>
    JSON.parse(fs.readFileSync(`node_modules/${pkg}/package.json`, "utf8")).version as string;
  return (
    `Node ${process.version}, ${cpuModel} × ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ` +
    `${os.platform()} ${os.release()}; ${packages.map((p) => `${p} ${version(p)}`).join(", ")}`
  );
}
