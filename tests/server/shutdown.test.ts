import { EventEmitter } from "node:events";
import { describe, expect, it, vi } from "vitest";
import { installGracefulShutdown, shutdownGraceMs } from "@/lib/server/shutdown";

function fakeProcess() {
  const proc = new EventEmitter() as EventEmitter & { exit: ReturnType<typeof vi.fn<(code?: number) => void>> };
  proc.exit = vi.fn<(code?: number) => void>();
  return proc;
}

describe("graceful shutdown", () => {
  it("on SIGTERM stops the engine with the grace period, closes the database, then exits 143", async () => {
    const proc = fakeProcess();
    const order: string[] = [];
    const shutdown = installGracefulShutdown(
      {
        stopEngine: async (graceMs) => {
          order.push(`stop ${graceMs}`);
        },
        closeDb: async () => {
          order.push("close");
        },
      },
      { proc: proc as never, graceMs: 0 },
    );
    const exit = proc.exit;
    proc.emit("SIGTERM");
    proc.emit("SIGTERM");
    await shutdown.done();
    expect(order).toEqual(["stop 0", "close"]);
    expect(exit).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(143);
  });

  it("holds an exit requested meanwhile (Next.js after closing its listener) until the engine has stopped", async () => {
    const proc = fakeProcess();
    const exit = proc.exit;
    let finishEngine: () => void = () => {};
    const closeDb = vi.fn(async () => {});
    const shutdown = installGracefulShutdown(
      { stopEngine: () => new Promise<void>((resolve) => (finishEngine = resolve)), closeDb },
      { proc: proc as never, graceMs: 60_000 },
    );
    proc.emit("SIGINT");
    proc.exit(130);
    await new Promise((r) => setTimeout(r, 10));
    expect(exit).not.toHaveBeenCalled();
    expect(closeDb).not.toHaveBeenCalled();
    finishEngine();
    await shutdown.done();
    expect(closeDb).toHaveBeenCalled();
    expect(exit).toHaveBeenCalledWith(130);
  });

  it("still exits when stopping the engine fails", async () => {
    const proc = fakeProcess();
    const exit = proc.exit;
    const shutdown = installGracefulShutdown(
      { stopEngine: async () => Promise.reject(new Error("db gone")), closeDb: async () => {} },
      { proc: proc as never, graceMs: 0 },
    );
    proc.emit("SIGTERM");
    await shutdown.done();
    expect(exit).toHaveBeenCalledWith(143);
  });

  it("reads INNGEST_SHUTDOWN_GRACE_MS (default 10 s)", () => {
    expect(shutdownGraceMs({})).toBe(10_000);
    expect(shutdownGraceMs({ INNGEST_SHUTDOWN_GRACE_MS: "2500" })).toBe(2500);
    expect(shutdownGraceMs({ INNGEST_SHUTDOWN_GRACE_MS: "soon" })).toBe(10_000);
  });
});
