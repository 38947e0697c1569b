import { spawnSync } from "node:child_process";
import { Inngest } from "inngest";
import { afterEach, describe, expect, it } from "vitest";
import { snapshotProcessEnv } from "@/lib/server/process-env";

/**
 * Issue 13: the Inngest SDK enumerates `process.env` on every call; the server hands it a plain copy (see the module).
 * These check that nothing an app, the SDK or a child process reads changes with the copy.
 */
const original = process.env;
afterEach(() => {
  process.env = original;
  delete original.SS_SNAPSHOT_TEST;
  delete original.SS_SNAPSHOT_REMOVED;
});

describe("snapshotProcessEnv", () => {
  it("replaces process.env with a plain copy holding the same variables", () => {
    original.SS_SNAPSHOT_TEST = "before";
    snapshotProcessEnv();
    expect(process.env).not.toBe(original);
    expect({ ...process.env }).toEqual({ ...original });
    expect(process.env.SS_SNAPSHOT_TEST).toBe("before");
  });

  it("is done once: a second call keeps the first copy and what was written to it", () => {
    snapshotProcessEnv();
    const first = process.env;
    process.env.SS_SNAPSHOT_TEST = "written";
    snapshotProcessEnv();
    expect(process.env).toBe(first);
    expect(process.env.SS_SNAPSHOT_TEST).toBe("written");
  });

  it("the SDK reads the copy, including variables set after it was made", () => {
    snapshotProcessEnv();
    const client = new Inngest({ id: "snapshot-test" });
    // The client's environment name is read from process.env on each access (the SDK's getProcessEnv).
    process.env.INNGEST_ENV = "snapshot-branch";
    try {
      expect(client.env).toBe("snapshot-branch");
    } finally {
      delete process.env.INNGEST_ENV;
    }
    expect(client.env).toBeNull();
  });

  it("a client made before the copy (as the app's is, at import) reads the copy when it builds its headers", () => {
    const client = new Inngest({ id: "snapshot-before" });
    snapshotProcessEnv();
    process.env.INNGEST_ENV = "set-after-the-copy";
    try {
      expect(client.env).toBe("set-after-the-copy");
    } finally {
      delete process.env.INNGEST_ENV;
    }
  });

  it("child processes inherit the copy, with what was set or removed after it", () => {
    original.SS_SNAPSHOT_REMOVED = "there";
    snapshotProcessEnv();
    delete original.SS_SNAPSHOT_REMOVED;
    delete process.env.SS_SNAPSHOT_REMOVED;
    process.env.SS_SNAPSHOT_TEST = "inherited";
    const child = spawnSync(
      process.execPath,
      [
        "-e",
        "process.stdout.write(JSON.stringify([process.env.SS_SNAPSHOT_TEST, process.env.SS_SNAPSHOT_REMOVED ?? null]))",
      ],
      { encoding: "utf8" },
    );
    expect(JSON.parse(child.stdout)).toEqual(["inherited", null]);
  });
});

describe("PROCESS_ENV_SNAPSHOT=off", () => {
  it("keeps Node's own process.env", () => {
    original.PROCESS_ENV_SNAPSHOT = "off";
    try {
      snapshotProcessEnv();
      expect(process.env).toBe(original);
    } finally {
      delete original.PROCESS_ENV_SNAPSHOT;
    }
  });
});
