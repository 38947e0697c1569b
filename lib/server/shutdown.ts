import type { EventEmitter } from "node:events";
import { log } from "@/lib/log";

const DEFAULT_GRACE_MS = 10_000;

/** INNGEST_SHUTDOWN_GRACE_MS: how long a stopping server lets the engine's calls in flight finish (default 10 s). */
export function shutdownGraceMs(env: Record<string, string | undefined> = process.env): number {
  const value = Number(env.INNGEST_SHUTDOWN_GRACE_MS);
  return Number.isFinite(value) && value >= 0 && env.INNGEST_SHUTDOWN_GRACE_MS?.trim() ? value : DEFAULT_GRACE_MS;
}

export interface ShutdownSteps {
  /** Stops the engine: no more claims, calls in flight get up to graceMs, leases released. */
  stopEngine(graceMs: number): Promise<void>;
  /** Closes the database (PGlite: flushes and ends the process's use of its directory). */
  closeDb(): Promise<void>;
}

type ProcessLike = Pick<EventEmitter, "once"> & { exit(code?: number): never | undefined };

const SIGNAL_CODES = { SIGTERM: 143, SIGINT: 130 } as const;

/** Processes that have the handlers already (a second start in one process must not add a second set). */
const installed = new WeakSet<object>();

/**
 * On SIGTERM / SIGINT: stop the engine at once (Next.js closes the HTTP listener on the same signal, and an engine
 * still claiming work would call a closed port until the process ends), give its calls in flight the grace period,
 * let the HTTP server finish its requests within what is left of it, close the database, exit. Next's own signal handler calls process.exit as soon as its listener has closed, which
 * could cut the engine's last calls short: while this runs, an exit requested by anyone waits for it (never longer
 * than the grace period plus closing). Returns the shutdown in progress, for tests.
 */
export function installGracefulShutdown(
  steps: ShutdownSteps,
  { proc = process as ProcessLike, graceMs = shutdownGraceMs() }: { proc?: ProcessLike; graceMs?: number } = {},
): { done: () => Promise<void> | undefined } {
  let running: Promise<void> | undefined;
  if (installed.has(proc)) return { done: () => running };
  installed.add(proc);
  const onSignal = (signal: keyof typeof SIGNAL_CODES) => {
    if (running) return;
    const exit = proc.exit.bind(proc);
    const deadline = Date.now() + graceMs;
    let requested: number | undefined;
    let exitRequested: () => void = () => {};
    const whenRequested = new Promise<void>((resolve) => {
      exitRequested = resolve;
    });
    proc.exit = ((code?: number) => {
      requested ??= code ?? 0;
      exitRequested();
      return undefined as never;
    }) as ProcessLike["exit"];
    log("info", "shutting down", { signal, graceMs });
    running = (async () => {
      try {
        await steps.stopEngine(graceMs);
      } catch (error) {
        log("warn", "the engine did not stop cleanly", { error });
      }
      // Requests the HTTP server is still finishing get what is left of the grace period, then the process ends.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        whenRequested,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        }),
      ]);
      clearTimeout(timer);
      try {
        await steps.closeDb();
      } catch (error) {
        log("warn", "closing the database failed", { error });
      }
      proc.exit = exit;
      exit(requested ?? SIGNAL_CODES[signal]);
    })();
  };
  proc.once("SIGTERM", () => onSignal("SIGTERM"));
  proc.once("SIGINT", () => onSignal("SIGINT"));
  return { done: () => running };
}
