import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export class DatabaseLockedError extends Error {
  readonly code = "DB_LOCKED";
  constructor(
    readonly dataDir: string,
    readonly holderPid: number,
  ) {
    super(
      `The embedded database in ${dataDir} is already open in another process (pid ${holderPid}). ` +
        `PGlite allows only one process at a time, and two writers would silently lose data. ` +
        `Stop that process first (for example the other "npm run dev" or "npm start"), ` +
        `or point PGLITE_DIR at another directory, or set DATABASE_URL to use PostgreSQL.`,
    );
    this.name = "DatabaseLockedError";
  }
}

interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
}

export interface DirLock {
  lockPath: string;
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM means the process exists but belongs to someone else: still alive.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readLock(lockPath: string): LockInfo | null {
  try {
    return JSON.parse(fs.readFileSync(lockPath, "utf8")) as LockInfo;
  } catch {
    return null;
  }
}

/**
 * Takes an exclusive, process-wide lock on a PGlite data directory.
 * The lock file sits next to the directory (PGlite owns the directory's contents).
 * A lock left by a crashed process (kill -9) is recognised by its dead pid and taken over.
 */
export function acquireDirLock(dataDir: string): DirLock {
  const resolved = path.resolve(dataDir);
  fs.mkdirSync(path.dirname(resolved), { recursive: true });
  const lockPath = `${resolved}.lock`;
  const mine: LockInfo = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() };

  for (let attempt = 0; attempt < 40; attempt++) {
    try {
      const fd = fs.openSync(lockPath, "wx");
      fs.writeSync(fd, JSON.stringify(mine));
      fs.closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        // Without this, every open/close pair leaves an exit listener behind (MaxListenersExceededWarning after 10).
        process.off("exit", release);
        const current = readLock(lockPath);
        if (current?.pid === process.pid) fs.rmSync(lockPath, { force: true });
      };
      process.once("exit", release);
      return { lockPath, release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = readLock(lockPath);
    if (holder === null) {
      // Another process is between creating and writing the file; give it a moment. An unreadable lock older than
      // a few seconds was left by a crash at exactly that point and is removed.
      let ageMs = 0;
      try {
        ageMs = Date.now() - fs.statSync(lockPath).mtimeMs;
      } catch {
        continue;
      }
      if (ageMs > 5000) fs.rmSync(lockPath, { force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
      continue;
    }
    if (holder.pid === process.pid) {
      throw new DatabaseLockedError(resolved, holder.pid);
    }
    if (holder.host === os.hostname() && !isAlive(holder.pid)) {
      // Stale lock from a crashed process: move it aside atomically so two takers cannot both succeed.
      const aside = `${lockPath}.stale-${process.pid}`;
      try {
        fs.renameSync(lockPath, aside);
        const moved = readLock(aside);
        fs.rmSync(aside, { force: true });
        if (moved?.pid !== holder.pid) {
          // We moved someone's fresh lock by mistake: that process still believes it holds it.
          throw new DatabaseLockedError(resolved, moved?.pid ?? -1);
        }
      } catch (error) {
        if (error instanceof DatabaseLockedError) throw error;
      }
      continue;
    }
    throw new DatabaseLockedError(resolved, holder.pid);
  }
  const holder = readLock(lockPath);
  throw new DatabaseLockedError(resolved, holder?.pid ?? -1);
}
