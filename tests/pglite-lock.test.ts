import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { openPglite, type DbHandle } from "@/db/client";
import { acquireDirLock, DatabaseLockedError } from "@/db/pglite-lock";
import { PGLITE_TEMPLATE_KEY } from "./helpers/db";

/**
 * PGlite allows one process per data directory; a second one would silently lose data. These tests open real
 * PGlite directories from a child process and from the test process. They do not need DATABASE_URL.
 */

const root = fs.mkdtempSync(path.join(os.tmpdir(), "ss-pglite-lock-"));
const children: ChildProcess[] = [];
const handles: DbHandle[] = [];

/**
 * Initialising a PGlite directory (initdb) takes seconds on a busy machine; opening an existing one is fast.
 * So one directory is initialised once, and each test starts from a copy of it.
 */
const templateDir = path.join(root, "template");
beforeAll(async () => {
  // Unpack the migrated dump from tests/global-setup.ts when there is one (fast); otherwise initdb.
  const dump = inject(PGLITE_TEMPLATE_KEY);
  if (dump && fs.existsSync(dump)) {
    const client = await PGlite.create(templateDir, { loadDataDir: new Blob([fs.readFileSync(dump)]) });
    await client.close();
  } else {
    await (await openPglite(templateDir)).close();
  }
});

/** A fresh, initialised data directory at `<root>/<name>/.../pglite` (parents created, as the app needs). */
function freshDataDir(...segments: string[]): string {
  const dataDir = path.join(root, ...segments, "pglite");
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  fs.cpSync(templateDir, dataDir, { recursive: true });
  return dataDir;
}

afterEach(async () => {
  for (const handle of handles.splice(0)) await handle.close().catch(() => {});
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const holderScript = path.resolve("tests/fixtures/hold-pglite.ts");
/** Child processes start tsx and PGlite: generous guards for a busy machine (not timing assertions). */
const CHILD_TEST_TIMEOUT = 120_000;

interface Holder {
  child: ChildProcess;
  pid: number;
  /** Resolves with the next stdout line that matches. */
  waitFor(pattern: RegExp): Promise<string>;
  exited: Promise<void>;
}

/** Starts a child process that opens PGlite on `dataDir` and holds it; resolves once it printed "ready". */
async function startHolder(dataDir: string, note: string): Promise<Holder> {
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", holderScript, dataDir, note], {
    cwd: process.cwd(),
    env: { ...process.env, DATABASE_URL: "" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  children.push(child);
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void; reject: (e: Error) => void }[] = [];
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  readline.createInterface({ input: child.stdout! }).on("line", (line) => {
    lines.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      } else if (line.startsWith("error:")) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.reject(new Error(`holder failed: ${line}\n${stderr}`));
      }
    }
  });
  void exited.then(() => {
    for (const waiter of waiters.splice(0)) {
      waiter.reject(
        new Error(
          `holder exited (code ${child.exitCode}) before printing ${waiter.pattern}\n${lines.join("\n")}\n${stderr}`,
        ),
      );
    }
  });
  const waitFor = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const seen = lines.find((l) => pattern.test(l));
      if (seen) return resolve(seen);
      waiters.push({ pattern, resolve, reject });
    });
  await waitFor(/^ready$/);
  return { child, pid: child.pid!, waitFor, exited };
}

async function notes(handle: DbHandle): Promise<string[]> {
  const result = await handle.db.execute<{ body: string }>(sql`select body from notes order by body`);
  const rows = (Array.isArray(result) ? result : (result as { rows: { body: string }[] }).rows) as { body: string }[];
  return rows.map((r) => r.body);
}

async function open(dataDir: string): Promise<DbHandle> {
  const handle = await openPglite(dataDir);
  handles.push(handle);
  return handle;
}

async function close(handle: DbHandle): Promise<void> {
  handles.splice(handles.indexOf(handle), 1);
  await handle.close();
}

const readLock = (dataDir: string) =>
  JSON.parse(fs.readFileSync(`${path.resolve(dataDir)}.lock`, "utf8")) as { pid: number; host: string };

/** The pid of a process that has already exited. */
function deadPid(): number {
  const result = spawnSync(process.execPath, ["-e", ""]);
  return result.pid;
}

describe("PGlite directory lock across processes", () => {
  it(
    "a second process is refused with a clear message; after kill -9 the stale lock is taken over and data survives",
    async () => {
      const dataDir = freshDataDir("crash");

      const first = await open(dataDir);
      await first.db.execute(sql`create table notes (body text not null)`);
      await first.db.execute(sql`insert into notes (body) values ('a: written before the child')`);
      await close(first);
      expect(fs.existsSync(`${dataDir}.lock`)).toBe(false);

      const holder = await startHolder(dataDir, "b: written by the child");
      expect(readLock(dataDir)).toMatchObject({ pid: holder.pid, host: os.hostname() });

      const error = await openPglite(dataDir).then(
        (handle) => {
          handles.push(handle);
          throw new Error("a second opener got in while the child held the directory");
        },
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DatabaseLockedError);
      const locked = error as DatabaseLockedError;
      expect(locked.code).toBe("DB_LOCKED");
      expect(locked.holderPid).toBe(holder.pid);
      expect(locked.dataDir).toBe(path.resolve(dataDir));
      expect(locked.message).toContain(path.resolve(dataDir));
      expect(locked.message).toContain(`pid ${holder.pid}`);
      expect(locked.message).toContain("PGLITE_DIR");
      expect(locked.message).toContain("DATABASE_URL");
      // The refused opener left the holder's lock alone.
      expect(readLock(dataDir).pid).toBe(holder.pid);

      holder.child.kill("SIGKILL");
      await holder.exited;
      expect(holder.child.signalCode).toBe("SIGKILL");
      // No cleanup ran in the child: the lock file is still there, naming a dead process.
      expect(readLock(dataDir).pid).toBe(holder.pid);

      const reopened = await open(dataDir);
      expect(readLock(dataDir).pid).toBe(process.pid);
      expect(await notes(reopened)).toEqual(["a: written before the child", "b: written by the child"]);
      await close(reopened);
      expect(fs.existsSync(`${dataDir}.lock`)).toBe(false);
    },
    CHILD_TEST_TIMEOUT,
  );

  it(
    "closing releases the lock: another process gets in while the first is still running",
    async () => {
      const dataDir = freshDataDir("release");
      const holder = await startHolder(dataDir, "held then released");
      await expect(openPglite(dataDir)).rejects.toBeInstanceOf(DatabaseLockedError);

      holder.child.stdin!.write("close\n");
      await holder.waitFor(/^closed$/);
      expect(holder.child.exitCode).toBeNull(); // still alive: the lock went away because it was released
      expect(fs.existsSync(`${dataDir}.lock`)).toBe(false);

      const handle = await open(dataDir);
      expect(await notes(handle)).toEqual(["held then released"]);
      await close(handle);
    },
    CHILD_TEST_TIMEOUT,
  );
});

describe("PGlite directory lock within one process", () => {
  it("a second open in the same process is refused; after close it succeeds", async () => {
    const dataDir = freshDataDir("same-process");
    const first = await open(dataDir);
    const error = await openPglite(dataDir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseLockedError);
    expect((error as DatabaseLockedError).holderPid).toBe(process.pid);
    await close(first);
    const second = await open(dataDir);
    await close(second);
  });

  it("opening a directory whose parents do not exist creates them (PGlite itself does not)", async () => {
    const dataDir = path.join(root, "no-parents", "deeper", "pglite");
    expect(fs.existsSync(path.dirname(dataDir))).toBe(false);
    const lock = acquireDirLock(dataDir);
    expect(fs.existsSync(path.dirname(dataDir))).toBe(true);
    expect(lock.lockPath).toBe(`${dataDir}.lock`);
    lock.release();
  });

  it("a lock left by a dead process is taken over", () => {
    const dataDir = path.join(root, "stale", "pglite");
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    fs.writeFileSync(`${dataDir}.lock`, JSON.stringify({ pid: deadPid(), host: os.hostname(), startedAt: "x" }));
    const lock = acquireDirLock(dataDir);
    expect(readLock(dataDir).pid).toBe(process.pid);
    lock.release();
    expect(fs.existsSync(`${dataDir}.lock`)).toBe(false);
  });

  it("a lock held by another host is refused (its pid cannot be checked from here)", () => {
    const dataDir = path.join(root, "other-host", "pglite");
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    fs.writeFileSync(
      `${dataDir}.lock`,
      JSON.stringify({ pid: deadPid(), host: `not-${os.hostname()}`, startedAt: "x" }),
    );
    expect(() => acquireDirLock(dataDir)).toThrow(DatabaseLockedError);
  });

  it("a lock held by a live process is refused", () => {
    const dataDir = path.join(root, "live", "pglite");
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    // The parent of this test process is alive for the whole run.
    fs.writeFileSync(`${dataDir}.lock`, JSON.stringify({ pid: process.ppid, host: os.hostname(), startedAt: "x" }));
    expect(() => acquireDirLock(dataDir)).toThrow(DatabaseLockedError);
    expect(readLock(dataDir).pid).toBe(process.ppid);
  });

  it("release does not remove a lock that another process has taken meanwhile; releasing twice is harmless", () => {
    const dataDir = path.join(root, "replaced", "pglite");
    const lock = acquireDirLock(dataDir);
    fs.writeFileSync(lock.lockPath, JSON.stringify({ pid: process.ppid, host: os.hostname(), startedAt: "x" }));
    lock.release();
    lock.release();
    expect(readLock(dataDir).pid).toBe(process.ppid);
  });

  it("acquiring and releasing many times does not pile up exit listeners", () => {
    const dataDir = path.join(root, "listeners", "pglite");
    const baseline = process.listenerCount("exit");
    for (let i = 0; i < 20; i++) acquireDirLock(dataDir).release();
    expect(process.listenerCount("exit")).toBe(baseline);
  });
});
