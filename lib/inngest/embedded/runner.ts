import { AsyncLocalStorage } from "node:async_hooks";
import crypto from "node:crypto";
import { defaultLogger, engineContext } from "./context";
import { CheckpointDesk, closeDesk, openDesk } from "./checkpoint";
import { executeItem, type Worker } from "./execute";
import { FunctionConfigError, type FunctionDef } from "./function-config";
import { FUNCTIONS_CHANGED, WAKE_CHANNEL } from "./wake-channel";
import type { Applied, ClaimedItem } from "./item";
import {
  claimItems,
  nextDueAt,
  releaseAllLeases,
  releaseLeases,
  releaseOwnedLeases,
  renewLeases,
  wakeParked,
  type Claimed,
} from "./queue";
import { beat, leave, releaseDeadInstances } from "./heartbeat";
import { invalidateFunctionCache } from "./function-store";
import { syncApp } from "./registry";
import type { LocalServeHandler } from "./local-serve";
import type { RetentionOptions } from "./retention";
import { RetentionSweeper } from "./retention-sweeper";
import { fireDueCrons, fireDueDebounces, purgeExpired } from "./scheduler";
import { addLocalEngine, type LocalEngine, removeLocalEngine, type ReservedWorker } from "./local-engines";
import { driverClient, type EngineDb } from "./sql";
import type { EngineContext, EngineLogger } from "./types";

export interface EngineTiming {
  /** Calls in flight at once in this process (default 16). */
  workers?: number;
  /** Longest idle wait between queue checks; new work also wakes workers at once (default 1000 ms). */
  pollIntervalMs?: number;
  /** How often cron and debounce timers are checked (default 500 ms). */
  schedulerIntervalMs?: number;
  /** Retry backoff: attempt n waits ~ base * 2^n with jitter, capped (defaults 1000 ms, 5 min). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** How long a claimed item stays ours without renewal; an instance that dies loses its items after this (30 s). */
  leaseMs?: number;
  /**
   * A call held back by a full concurrency key is parked until a slot of that key frees (the worker that frees it
   * wakes it at once); this is only the safety re-check for a wake lost to a crash (default 5000 ms).
   */
  concurrencyRecheckMs?: number;
  /** Longest single call to the app (default 15 min). */
  requestTimeoutMs?: number;
  /**
   * Several instances on one PostgreSQL: each beats this often, and an instance silent for 5 beats is dead — the
   * others release its leases at once, so its work resumes in seconds rather than after leaseMs (default 2000 ms).
   */
  heartbeatMs?: number;
  /** Wait between sync attempts while the app is not up yet (default 1000 ms). */
  syncRetryMs?: number;
  /** Re-sync periodically, e.g. in development where functions change (default 0 = only at start). */
  resyncIntervalMs?: number;
}

export interface RunnerOptions extends EngineTiming {
  db: EngineDb;
  /** No other process can use this database (PGlite): leases found at start are left by a dead process. */
  singleProcess: boolean;
  /** The app's serve endpoint, e.g. http://127.0.0.1:3000/api/inngest. */
  serveUrl: string;
  /** The app's serve handler in this process: syncs and calls go to it instead of over HTTP to serveUrl. */
  localServe?: LocalServeHandler;
  /** Calls handed to localServe may run several steps, checkpointing each (checkpoint.ts). */
  checkpointing?: boolean;
  signingKey: string;
  logger?: EngineLogger;
  /** Called once, after the first successful sync and before the workers start. */
  onFirstSync?: () => Promise<void>;
  /** Purging of finished runs and old events (retention.ts); off when absent or retentionMs is 0. */
  retention?: RetentionOptions;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Longest chain of calls one worker makes for one run before handing it back to the queue. */
const MAX_CHAIN = 50;

/** Missed heartbeats after which an instance counts as dead. */
const DEAD_AFTER_BEATS = 5;

/**
 * The engine's executor (started by EmbeddedEngine.start): registers the app's functions (in-band sync), claims due work from the database,
 * calls the app's serve endpoint with signed requests and records what comes back. All state is in the database,
 * so a process can die at any point and another (or the restarted one) carries on from the last recorded step.
 */
export class EngineRunner {
  readonly ctx: EngineContext;
  /** Lease owner id of this engine instance. */
  readonly owner = `engine-${crypto.randomBytes(6).toString("hex")}`;
  private readonly opts: Required<EngineTiming>;
  private running = false;
  private synced = false;
  private lastSyncError: string | undefined;
  private functionCount = 0;
  /** Busy workers: the item each is working on (for lease renewal) and its completion. */
  private readonly slots = new Map<number, { itemId: number; done: Promise<void> }>();
  private slotSeq = 0;
  /** Items whose lease was found gone while their call ran, already told (renewLeases). */
  private readonly lostLeases = new Set<number>();
  /** Workers set aside for the intake (local-engines.ts): not free for claims until launched or released. */
  private reserved = 0;
  /** Workers a claim in flight may fill: not free for the intake either until its items are launched. */
  private claiming = 0;
  /**
   * Runs a function in the async context the engine started in, where the dispatch loop runs claimed calls: a call
   * handed over by the intake must not run inside the request that sent its event (Next's request stores).
   */
  private inEngineContext: <R>(fn: () => R) => R = (fn) => fn();
  private wakeUp: (() => void) | undefined;
  private pendingWake = false;
  private dispatchLoop: Promise<void> | undefined;
  private syncLoop: Promise<void> | undefined;
  private timers: NodeJS.Timeout[] = [];
  private unlisten: (() => Promise<void>) | undefined;
  private retention: RetentionSweeper | undefined;
  private readonly local: LocalEngine = {
    wake: () => this.wake(),
    reserveWorker: () => this.reserveWorker(),
  };
  private readonly worker: Worker;
  private readonly desk: CheckpointDesk | undefined;

  constructor(private readonly options: RunnerOptions) {
    this.opts = {
      workers: options.workers ?? 16,
      pollIntervalMs: options.pollIntervalMs ?? 1000,
      schedulerIntervalMs: options.schedulerIntervalMs ?? 500,
      backoffBaseMs: options.backoffBaseMs ?? 1000,
      backoffMaxMs: options.backoffMaxMs ?? 300_000,
      leaseMs: options.leaseMs ?? 30_000,
      concurrencyRecheckMs: options.concurrencyRecheckMs ?? 5000,
      requestTimeoutMs: options.requestTimeoutMs ?? 15 * 60_000,
      heartbeatMs: options.heartbeatMs ?? 2000,
      syncRetryMs: options.syncRetryMs ?? 1000,
      resyncIntervalMs: options.resyncIntervalMs ?? 0,
    };
    this.ctx = engineContext(options.db, options.logger ?? defaultLogger, this.opts);
    this.desk =
      options.localServe && options.checkpointing
        ? new CheckpointDesk(this.ctx, this.owner, options.signingKey)
        : undefined;
    this.worker = {
      ctx: this.ctx,
      owner: this.owner,
      serveUrl: options.serveUrl,
      localServe: options.localServe,
      desk: this.desk,
      signingKey: options.signingKey,
      requestTimeoutMs: this.opts.requestTimeoutMs,
      stopping: () => !this.running,
    };
  }

  get status() {
    return {
      running: this.running,
      synced: this.synced,
      lastSyncError: this.lastSyncError,
      functions: this.functionCount,
      inflight: this.slots.size,
      /** A claim is in flight: the intake sets no worker aside meanwhile. */
      claiming: this.claiming > 0,
    };
  }

  /** Registers the app's functions now; throws SyncError or FunctionConfigError. */
  async sync(): Promise<FunctionDef[]> {
    try {
      const defs = await syncApp(this.ctx, this.options.serveUrl, this.options.signingKey, this.options.localServe);
      this.functionCount = defs.length;
      this.lastSyncError = undefined;
      if (!this.synced) {
        this.synced = true;
        await this.options.onFirstSync?.().catch((error: Error) =>
          this.ctx.log("error", "inngest could not start runs for events received before registration", {
            error: error.message,
          }),
        );
      }
      return defs;
    } catch (error) {
      this.lastSyncError = error instanceof Error ? error.message : String(error);
      throw error;
    }
  }

  /**
   * Starts syncing and, once the app answered a sync, the workers. With waitForSync the promise resolves after the
   * first successful sync (and rejects if the app's functions use something the engine cannot run).
   */
  async start({ waitForSync = true }: { waitForSync?: boolean } = {}): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.inEngineContext = AsyncLocalStorage.snapshot();
    if (this.desk) openDesk(this.desk);
    // Another engine here on the same database (tests) holds live leases; otherwise, on a single-process database,
    // every lease found now was left by a process that died.
    const othersHere = addLocalEngine(this.options.db, this.local);
    if (!this.options.singleProcess) await this.listen();
    else if (!othersHere) {
      const released = await releaseAllLeases(this.ctx.db);
      if (released) this.ctx.log("info", "inngest resumed work left by a previous process", { items: released });
    }
    if (waitForSync) {
      try {
        await this.sync();
      } catch (error) {
        await this.stop();
        throw error;
      }
      this.startWorkers();
    } else {
      this.syncLoop = this.syncUntilReady();
    }
  }

  private async syncUntilReady() {
    let failures = 0;
    while (this.running && !this.synced) {
      try {
        await this.sync();
        this.startWorkers();
        return;
      } catch (error) {
        failures++;
        if (error instanceof FunctionConfigError) {
          this.ctx.log("error", "inngest functions rejected, nothing will run until this is fixed", {
            error: error.message,
          });
        } else if (failures === 3 || failures % 30 === 0) {
          this.ctx.log("warn", "inngest cannot sync with the app yet", {
            serveUrl: this.options.serveUrl,
            error: this.lastSyncError,
          });
        }
        await sleep(
          error instanceof FunctionConfigError ? Math.max(this.opts.syncRetryMs, 5000) : this.opts.syncRetryMs,
        );
      }
    }
  }

  private startWorkers() {
    if (!this.running || this.dispatchLoop) return;
    this.ctx.log("info", "inngest engine started", { serveUrl: this.options.serveUrl, workers: this.opts.workers });
    this.dispatchLoop = this.dispatch();
    this.every(this.opts.leaseMs / 3, () => this.renewLeases());
    this.every(this.opts.schedulerIntervalMs, async () => {
      const started = (await fireDueCrons(this.ctx)) + (await fireDueDebounces(this.ctx));
      if (started) this.wake();
    });
    this.every(3_600_000, () => purgeExpired(this.ctx));
    if (this.options.retention) {
      this.retention = new RetentionSweeper(this.ctx.db, this.options.retention, this.ctx.log);
      this.retention.start();
    }
    // A single-process database (PGlite) has no other instance: its leases were released at start.
    if (!this.options.singleProcess) {
      const heartbeat = async () => {
        await beat(this.ctx.db, this.owner);
        const released = await releaseDeadInstances(this.ctx.db, this.owner, this.opts.heartbeatMs * DEAD_AFTER_BEATS);
        if (released) {
          this.ctx.log("info", "inngest resumed work of an instance that stopped beating", { items: released });
          this.wake();
        }
      };
      void heartbeat().catch((error: Error) =>
        this.ctx.log("warn", "inngest heartbeat failed", { error: error.message }),
      );
      this.every(this.opts.heartbeatMs, heartbeat);
    }
    if (this.opts.resyncIntervalMs > 0) {
      this.every(this.opts.resyncIntervalMs, async () => {
        await this.sync().catch((error: Error) =>
          this.ctx.log("warn", "inngest re-sync failed", { error: error.message }),
        );
      });
    }
  }

  /** Runs `task` every `ms`, never overlapping itself; errors are logged, not fatal. */
  private every(ms: number, task: () => Promise<unknown>) {
    const index = this.timers.length;
    const tick = async () => {
      if (!this.running) return;
      try {
        await task();
      } catch (error) {
        if (this.running) this.ctx.log("warn", "inngest background task failed", { error: (error as Error).message });
      }
      if (this.running) this.timers[index] = setTimeout(tick, ms).unref();
    };
    this.timers[index] = setTimeout(tick, ms).unref();
  }

  /**
   * Keeps the leases of calls in flight. A lease found gone (this process stalled past it, or the database was out
   * of reach that long) is told once per item, as is an item this instance claimed again after its lease ran out
   * (two of its workers on one item): either way the call may run twice.
   */
  private async renewLeases() {
    const working = [...this.slots.values()].map((s) => s.itemId);
    const lost = await renewLeases(this.ctx.db, this.owner, working, this.opts.leaseMs);
    // Read again after the round trip: an item handed back meanwhile (a call stopped at a checkpoint) is not lost.
    const stillWorking = new Set([...this.slots.values()].map((s) => s.itemId));
    for (const id of this.lostLeases) if (!stillWorking.has(id)) this.lostLeases.delete(id);
    const tell = (itemId: number, msg: string, fields: Record<string, unknown>) => {
      if (!stillWorking.has(itemId) || this.lostLeases.has(itemId)) return;
      this.lostLeases.add(itemId);
      this.ctx.log("warn", msg, { itemId, leaseMs: this.opts.leaseMs, ...fields });
    };
    for (const item of lost) {
      tell(item.id, "inngest lease lost while its call runs: another worker may run it, this result is refused", {
        runId: item.runId,
      });
    }
    for (const [i, id] of working.entries()) {
      if (working.indexOf(id) !== i)
        tell(id, "inngest lease ran out while its call runs: this instance took it again", {});
    }
  }

  /** Other processes on the same PostgreSQL notify when they queue work (intake.ts). */
  private async listen() {
    const client = driverClient(this.ctx.db) as {
      listen?: (
        ch: string,
        fn: (payload: string) => void,
        onListen?: () => void,
      ) => Promise<{ unlisten(): Promise<void> }>;
    };
    if (typeof client.listen !== "function") return;
    try {
      const sub = await client.listen(
        WAKE_CHANNEL,
        (payload) => {
          if (payload === FUNCTIONS_CHANGED) invalidateFunctionCache(this.ctx.db);
          this.wake();
        },
        // On every (re)subscription: notifications sent while the listening connection was down are lost.
        () => invalidateFunctionCache(this.ctx.db),
      );
      this.unlisten = () => sub.unlisten();
    } catch (error) {
      this.ctx.log("warn", "inngest LISTEN failed; falling back to polling", { error: (error as Error).message });
    }
  }

  wake(): void {
    if (this.wakeUp) {
      const resolve = this.wakeUp;
      this.wakeUp = undefined;
      resolve();
    } else this.pendingWake = true;
  }

  private idle(ms: number): Promise<void> {
    if (this.pendingWake || !this.running) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = undefined;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async dispatch() {
    while (this.running) {
      const free = this.opts.workers - this.slots.size - this.reserved;
      if (free <= 0) {
        await this.idle(this.opts.pollIntervalMs);
        continue;
      }
      let claimed: Claimed[];
      try {
        this.pendingWake = false;
        this.claiming = free;
        claimed = await claimItems(this.ctx.db, {
          owner: this.owner,
          max: free,
          leaseMs: this.opts.leaseMs,
          recheckMs: this.opts.concurrencyRecheckMs,
        });
        // Its items are launched below without an await in between: they hold their workers from here on.
        this.claiming = 0;
      } catch (error) {
        this.claiming = 0;
        if (!this.running) break;
        this.ctx.log("warn", "inngest claim failed", { error: (error as Error).message });
        await this.idle(this.opts.pollIntervalMs);
        continue;
      }
      if (!this.running) {
        await releaseLeases(
          this.ctx.db,
          this.owner,
          claimed.map((c) => c.id),
        ).catch(() => {});
        break;
      }
      for (const item of claimed) this.launch(item);
      if (claimed.length === free) continue;
      let wait = this.opts.pollIntervalMs;
      try {
        const due = await nextDueAt(this.ctx.db);
        if (due) wait = Math.min(wait, Math.max(5, due.getTime() - Date.now()));
      } catch {
        // Polling at the normal interval is a fine fallback.
      }
      await this.idle(wait);
    }
  }

  /**
   * Sets a worker aside for an event received in this process, whose first call the intake then leases to it in its
   * own transaction (intake-one.ts): the call starts without a claim. Only once the workers run (after the first
   * sync), and only while one is free.
   */
  private reserveWorker(): ReservedWorker | undefined {
    const busy = this.slots.size + this.reserved + this.claiming;
    if (!this.running || !this.dispatchLoop || busy >= this.opts.workers) return undefined;
    this.reserved++;
    let open = true;
    const close = () => {
      if (!open) return false;
      open = false;
      this.reserved--;
      return true;
    };
    return {
      owner: this.owner,
      leaseMs: this.opts.leaseMs,
      // After stop() a launched item is handed straight back (work() releases its lease).
      launch: (item) => {
        if (close()) this.inEngineContext(() => this.launch(item));
      },
      release: () => {
        if (close()) this.wake();
      },
    };
  }

  private launch(item: Claimed) {
    const id = ++this.slotSeq;
    const slot = { itemId: item.id, done: Promise.resolve() };
    slot.done = this.work(slot, item)
      .catch((error: Error) => {
        // The item keeps its lease until it expires, then is retried: nothing is lost, only delayed.
        if (this.running)
          this.ctx.log("error", "inngest item processing failed", {
            runId: item.runId,
            error: error.message,
            stack: error.stack,
          });
      })
      .finally(async () => {
        // The run's slots are free now (its last item was consumed or handed back): parked runs of its keys go next.
        if (item.concurrencyKeys.length) {
          const keys = item.concurrencyKeys.map((key, i) => ({ key, limit: item.concurrencyLimits[i] ?? Infinity }));
          const woken = await wakeParked(this.ctx.db, keys).catch((error: Error) => {
            if (this.running)
              this.ctx.log("warn", "inngest could not wake parked items; they are re-checked soon", {
                error: error.message,
              });
            return 0;
          });
          // Other engines of this process on the same database (PGlite has no LISTEN) may claim them as well.
          if (woken) this.ctx.wake();
        }
        this.slots.delete(id);
        this.wake();
      });
    this.slots.set(id, slot);
  }

  /**
   * Processes an item, then keeps going with the same run while each result leads straight to its next discovery
   * call (created already leased to this worker): one claim per run instead of one per step. The chain is capped so
   * that a long run gives its worker back to the queue now and then.
   */
  private async work(slot: { itemId: number }, first: Claimed) {
    if (first.startedRun)
      this.ctx.log("info", "inngest run started", { runId: first.runId, functionId: first.functionId });
    let item: ClaimedItem | null = first;
    for (let chain = 0; item; chain++) {
      if (!this.running) {
        await releaseLeases(this.ctx.db, this.owner, [item.id]);
        return;
      }
      slot.itemId = item.id;
      const continueLeaseMs = chain < MAX_CHAIN ? this.opts.leaseMs : undefined;
      const applied: Applied = await executeItem(this.worker, item, continueLeaseMs);
      item = applied.next;
    }
  }

  /**
   * Graceful stop: claims nothing more from now on (a worker going on with a run hands its next call back to the
   * queue), waits up to graceMs for the calls in flight, then releases every lease this instance still holds, so
   * that another instance — or this one restarted — takes those items at once instead of after the lease. A call
   * still running after the grace period may then run again elsewhere (steps are at-least-once); its late result is
   * refused by the lease check, never recorded twice.
   */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    // Calls in flight stop at their next checkpoint (recorded) instead of starting more steps during the grace period.
    this.desk?.drain();
    removeLocalEngine(this.options.db, this.local);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
    this.wake();
    await this.dispatchLoop;
    await this.syncLoop;
    // A purge in progress ends after its current batch; it must not outlive the engine (nor its database).
    await this.retention?.stop();
    this.retention = undefined;
    // An intake holding a worker set aside commits its lease and hands the call over (launched, it is handed back
    // below): waited for, so that no lease of this instance is committed after its leases are released.
    const reservedUntil = Date.now() + graceMs;
    while (this.reserved > 0 && Date.now() < reservedUntil) await sleep(5);
    const inflight = this.slots.size;
    const pending = Promise.allSettled([...this.slots.values()].map((s) => s.done));
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      pending.then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), graceMs);
      }),
    ]);
    clearTimeout(timer);
    const released = await releaseOwnedLeases(this.ctx.db, this.owner).catch((error: Error) => {
      this.ctx.log("warn", "inngest could not release its leases; they expire on their own", { error: error.message });
      return 0;
    });
    if (!this.options.singleProcess) await leave(this.ctx.db, this.owner).catch(() => {});
    await this.unlisten?.().catch(() => {});
    this.unlisten = undefined;
    if (this.desk) closeDesk(this.desk);
    this.dispatchLoop = undefined;
    this.ctx.log(finished ? "info" : "warn", "inngest engine stopped", {
      inflight,
      ...(finished ? {} : { unfinished: this.slots.size, graceMs }),
      released,
    });
  }
}
