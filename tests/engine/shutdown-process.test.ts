import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { isNotNull } from "drizzle-orm";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, describe, expect, inject, it } from "vitest";
import { openPglite } from "@/db/client";
import { inngestQueue } from "@/lib/inngest/embedded/testing";
import { waitFor } from "./harness";

// SIGTERM to a server process in the middle of work (with a stream open, which keeps the HTTP listener from closing):
// the process exits after the grace period at most, the engine never calls its closed port, and the next process
// finds the database unlocked and no item leased.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "engine-shutdown-"));
const pgliteDir = path.join(dir, "pglite");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("server process: graceful shutdown on SIGTERM", () => {
  it("stops the engine, releases its leases and the PGlite lock, and exits", { timeout: 180_000 }, async () => {
    // Start from the migrated template (tests/global-setup.ts) when there is one: initdb in the child is slow.
    const template = inject("pgliteTemplate");
    if (template && fs.existsSync(template)) {
      const seed = await PGlite.create({ dataDir: pgliteDir, loadDataDir: new Blob([fs.readFileSync(template)]) });
      await seed.close();
    }
    let output = "";
    const child = spawn(
      process.execPath,
      ["--conditions=react-server", "--import", "tsx", path.join(import.meta.dirname, "fixtures", "shutdown-child.ts")],
      {
        cwd: process.cwd(),
        env: { ...process.env, SHUTDOWN_PGLITE_DIR: pgliteDir, SHUTDOWN_GRACE_MS: "2000" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      await waitFor(async () => (output.match(/STEP/g) ?? []).length >= 3, {
        timeoutMs: 90_000,
        what: `steps to run\n${output}`,
      });
      child.kill("SIGTERM");
      // Far beyond the 2 s grace period: without the shutdown the open stream keeps the process up indefinitely.
      const code = await Promise.race([
        exited,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`the process did not exit:\n${output}`)), 30_000),
        ),
      ]);
      expect(code, output).toBe(143);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    expect(output).not.toMatch(/unreachable/);
    expect(output).toMatch(/inngest engine stopped/);
    expect(fs.existsSync(`${path.resolve(pgliteDir)}.lock`)).toBe(false);
    const handle = await openPglite(pgliteDir);
    try {
      expect(await handle.db.select().from(inngestQueue).where(isNotNull(inngestQueue.leaseOwner))).toEqual([]);
    } finally {
      await handle.close();
    }
  });
});
