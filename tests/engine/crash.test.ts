import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db";
import { openPglite, openPostgres } from "@/db/client";
import { inngestRuns, inngestSteps } from "@/lib/inngest/embedded/testing";
import { templateDatabaseName, withDatabase } from "../helpers/pg-url";
import { waitFor } from "./harness";

// kill -9 the process running the engine while a step is executing; a new process must finish the run, and a step
// whose result was recorded must not run again. The interrupted step itself runs again (its result was never
// recorded): steps must be safe to repeat, as with Inngest.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "engine-crash-"));
const logFile = path.join(dir, "steps.log");
const marker = path.join(dir, "release-b");
const pgliteDir = path.join(dir, "pglite");
let databaseName: string | undefined;
const children: ChildProcess[] = [];

async function databaseEnv(): Promise<Record<string, string>> {
  const url = process.env.DATABASE_URL;
  if (!url) return { CRASH_PGLITE_DIR: pgliteDir };
  databaseName = `ss_crash_${crypto.randomBytes(5).toString("hex")}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${databaseName}" template "${templateDatabaseName(url)}"`);
  } finally {
    await admin.end();
  }
  return { CRASH_DATABASE_URL: withDatabase(url, databaseName) };
}

function startChild(env: Record<string, string>): {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
} {
  let output = "";
  const child = spawn(
    process.execPath,
    ["--conditions=react-server", "--import", "tsx", path.join(import.meta.dirname, "fixtures", "crash-child.ts")],
    {
      cwd: process.cwd(),
      env: { ...process.env, ...env, CRASH_LOG: logFile, CRASH_MARKER: marker },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  children.push(child);
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, output: () => output };
}

const lines = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").trim().split("\n") : []);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  if (databaseName && process.env.DATABASE_URL) {
    const admin = postgres(process.env.DATABASE_URL, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists "${databaseName}" with (force)`).finally(() => admin.end());
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("embedded engine: crash and resume", () => {
  it("resumes a run after kill -9 without repeating completed steps", { timeout: 120_000 }, async () => {
    const env = await databaseEnv();

    const first = startChild({ ...env, CRASH_SEND: "1" });
    await waitFor(async () => lines().includes("b-start"), {
      timeoutMs: 60_000,
      what: `step b to start\n${first.output()}`,
    });
    first.child.kill("SIGKILL");
    expect(await first.exited).toBeNull();
    expect(lines()).toEqual(["a", "b-start"]);

    fs.writeFileSync(marker, "go");
    const second = startChild(env);
    const code = await Promise.race([
      second.exited,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`second process hung:\n${second.output()}`)), 90_000),
      ),
    ]);
    expect(code, second.output()).toBe(0);
    // "a" ran once; "b" was interrupted and ran again; "c" ran once.
    expect(lines()).toEqual(["a", "b-start", "b-start", "b-end", "c", "done"]);

    const handle: DbHandle = env.CRASH_DATABASE_URL
      ? openPostgres(env.CRASH_DATABASE_URL, { max: 1 })
      : await openPglite(pgliteDir);
    try {
      const [run] = await handle.db.select().from(inngestRuns).where(eq(inngestRuns.functionId, "story-sprout-crashy"));
      expect(run!.status).toBe("completed");
      expect(run!.output).toBe("survived");
      const steps = await handle.db.select().from(inngestSteps).where(eq(inngestSteps.runId, run!.id));
      expect(steps.map((s) => [s.name, s.status]).sort()).toEqual([
        ["a", "completed"],
        ["b", "completed"],
        ["c", "completed"],
      ]);
    } finally {
      await handle.close();
    }
  });
});
