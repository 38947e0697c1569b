import { defaultLogger, engineContext } from "./context";
import { startMissingRuns } from "./dispatch";
import { receiveEvents } from "./intake";
import { cancelRunInTx } from "./lifecycle";
import { migrateEngine } from "./migrate";
import { claimProcessEngine, releaseProcessEngine } from "./process-engine";
import {
  getRun,
  listFunctions,
  listRuns,
  retriesByFunction,
  backlog,
  runsForEvent,
  type ListRunsFilter,
  type RunsForEventFilter,
} from "./query";
import { EngineRunner, type EngineTiming } from "./runner";
import { sweepRetention, type RetentionOptions, type SweepResult } from "./retention";
import { ensureEngineSecrets, type EngineKeys } from "./secrets";
import type { LocalServeHandler } from "./local-serve";
import type { EngineDb } from "./sql";
import { transportFetch } from "./transport";
import type { EngineContext, EngineLogger } from "./types";

export interface EmbeddedEngineOptions {
  /** A Drizzle PostgreSQL database (postgres-js or PGlite) holding the engine's tables. */
  db: EngineDb;
  /** Structured log lines (run started / completed / failed, sync problems, …); default: warnings and errors to stderr. */
  logger?: EngineLogger;
  /**
   * True when no other process can use this database (PGlite, which locks its directory): leases found at start
   * were left by a dead process and are released at once, and LISTEN/NOTIFY is not needed. Default false.
   */
  singleProcess?: boolean;
  /** The engine's migrations folder, when it is not at lib/inngest/embedded/migrations under the working directory. */
  migrationsFolder?: string;
}

export interface StartOptions extends EngineTiming {
  /** The app's serve endpoint, e.g. http://127.0.0.1:3000/api/inngest. */
  serveUrl: string;
  /**
   * The app's `serve()` handler, when it runs in this process: syncs and calls are the same signed requests to
   * serveUrl, handed to it directly instead of over a loopback socket (and the web framework's router). Without it,
   * they go over HTTP.
   */
  localServe?: LocalServeHandler;
  /**
   * Let a call handed to localServe run several steps, checkpointing each to this engine (checkpoint.ts; default on).
   * It needs the process's Inngest client to send to this engine, as embeddedClientOptions sets it up.
   */
  checkpointing?: boolean;
  /** Resolve only after the first successful sync (default); a server starts it in the background instead. */
  waitForSync?: boolean;
  /** Also serve this process's Inngest client (attach); false for a second engine in one process (tests). */
  attachClient?: boolean;
  /**
   * Purge finished runs (their steps and calls) and old events in the background (retention.ts). Off when absent or
   * when retentionMs is 0; `beforePurge` receives each batch of runs, in the deleting transaction, before deletion.
   */
  retention?: RetentionOptions;
}

/**
 * The embedded Inngest engine: the executor half of Inngest, with its state in the given database. `fetch` is the
 * Inngest client's transport, `start` / `stop` run the workers, `query` reads runs. Nothing happens until a method
 * is called, so constructing one just to query is cheap.
 */
export class EmbeddedEngine {
  private readonly ctx: EngineContext;
  private runner: EngineRunner | undefined;
  private loadedKeys: EngineKeys | undefined;
  /**
   * From start() until the first sync: the ids of events this engine received meanwhile. Their dispatch ran against
   * the functions registered before (none on a fresh database, not this deploy's new ones), so once the sync has
   * stored this deploy's functions, the runs they should have started are started (startMissingRuns).
   */
  private beforeSync: string[] | undefined;

  constructor(private readonly options: EmbeddedEngineOptions) {
    this.ctx = engineContext(options.db, options.logger ?? defaultLogger);
  }

  /** Read-only views of runs and functions (admin pages, tests). */
  readonly query = {
    listRuns: (filter?: ListRunsFilter) => listRuns(this.options.db, filter),
    getRun: (runId: string) => getRun(this.options.db, runId),
    runsForEvent: (filter: RunsForEventFilter) => runsForEvent(this.options.db, filter),
    listFunctions: () => listFunctions(this.options.db),
    retriesByFunction: () => retriesByFunction(this.options.db),
    backlog: () => backlog(this.options.db),
  };

  /** The signing and event keys, once `attach` or `start` loaded them. */
  get keys(): EngineKeys | undefined {
    return this.loadedKeys;
  }

  get status() {
    return (
      this.runner?.status ?? {
        running: false,
        synced: false,
        lastSyncError: undefined,
        functions: 0,
        inflight: 0,
        claiming: false,
      }
    );
  }

  /** The Inngest client's `fetch`: sends to the embedded base URL reach this engine's intake in-process. */
  readonly fetch = (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> =>
    transportFetch({ keys: this.loadedKeys, receive: (events, seed) => this.receive(events, seed) }, input, init);

  private async receive(events: unknown, seed: string | null | undefined): Promise<string[]> {
    const early = this.beforeSync !== undefined;
    const ids = await receiveEvents(this.ctx, events, seed);
    if (early) {
      // The first sync may have completed while this intake ran (and read the old functions): then the catch-up is
      // over, and these events are caught up here, after their own transaction committed.
      if (this.beforeSync) this.beforeSync.push(...ids);
      else await startMissingRuns(this.ctx, ids);
    }
    return ids;
  }

  private async catchUpEarlyEvents(): Promise<void> {
    const ids = this.beforeSync ?? [];
    this.beforeSync = undefined;
    if (ids.length) await startMissingRuns(this.ctx, ids);
  }

  /** Applies the engine's pending migrations (tracked in drizzle.__inngest_engine_migrations). */
  migrate(): Promise<void> {
    return migrateEngine(this.options.db, this.options.migrationsFolder);
  }

  /**
   * Loads (or creates) the keys and makes this the engine the process's Inngest client talks to: `inngest.send()`
   * and the serve endpoint work, no workers run. Enough for a process that only sends events (a script).
   */
  async attach(): Promise<EngineKeys> {
    claimProcessEngine(this);
    return this.loadKeys();
  }

  /** The engine's keys, read (or created) once per engine. */
  private async loadKeys(): Promise<EngineKeys> {
    this.loadedKeys ??= await ensureEngineSecrets(this.options.db);
    return this.loadedKeys;
  }

  /** Starts syncing with the app and then the workers; with waitForSync, rejects if the app's functions are refused. */
  async start(options: StartOptions): Promise<void> {
    if (this.runner) throw new Error("This embedded Inngest engine is already running");
    const {
      serveUrl,
      localServe,
      checkpointing = true,
      waitForSync = true,
      attachClient = true,
      retention,
      ...timing
    } = options;
    const keys = attachClient ? await this.attach() : await this.loadKeys();
    this.beforeSync = [];
    const runner = new EngineRunner({
      db: this.options.db,
      singleProcess: this.options.singleProcess ?? false,
      serveUrl,
      ...(localServe ? { localServe } : {}),
      checkpointing,
      signingKey: keys.signingKey,
      logger: this.ctx.log,
      onFirstSync: () => this.catchUpEarlyEvents(),
      ...(retention ? { retention } : {}),
      ...timing,
    });
    this.runner = runner;
    try {
      await runner.start({ waitForSync });
    } catch (error) {
      this.runner = undefined;
      this.beforeSync = undefined;
      releaseProcessEngine(this);
      throw error;
    }
  }

  /** Stops claiming work, waits up to graceMs for calls in flight (the rest resume later) and detaches the client. */
  async stop(graceMs?: number): Promise<void> {
    const runner = this.runner;
    this.runner = undefined;
    this.beforeSync = undefined;
    // Calls still in flight during the grace period need the keys: detach only after the workers stopped.
    await runner?.stop(graceMs);
    releaseProcessEngine(this);
  }

  /**
   * One retention sweep now, in batches, with these options (scripts, tests); the running engine sweeps on its own
   * with the options given to start.
   */
  purge(retention: RetentionOptions, now?: Date): Promise<SweepResult> {
    return sweepRetention(this.options.db, retention, now ? { now } : {});
  }

  /** Cancels a queued or running run (from any process on the same database); false if it had already ended. */
  cancelRun(runId: string, reason = "Cancelled by request"): Promise<boolean> {
    return this.options.db.transaction((tx) => cancelRunInTx(this.ctx, tx, runId, reason, new Date()));
  }
}
