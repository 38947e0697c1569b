import { sweepRetention, type RetentionOptions, type SweepResult } from "./retention";
import type { EngineDb } from "./sql";
import type { EngineLogger } from "./types";

/**
 * Runs the retention sweep in the engine's background: once initialDelayMs after start (so a restart does not begin
 * with a purge), then every intervalMs. stop() ends the current sweep after its batch in progress and waits for it,
 * so the engine never stops (and the database never closes) under a running purge.
 */
export class RetentionSweeper {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    private readonly db: EngineDb,
    private readonly options: RetentionOptions,
    private readonly log: EngineLogger,
  ) {}

  start(): void {
    if (!(this.options.retentionMs > 0)) return;
    this.schedule(this.options.initialDelayMs ?? 5 * 60_000);
  }

  private schedule(ms: number) {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.current = this.sweep().finally(() => {
        this.current = undefined;
        this.schedule(this.options.intervalMs ?? 3_600_000);
      });
    }, ms).unref();
  }

  /** One sweep now (also what the timer runs); errors are logged, the next interval tries again. */
  async sweep(): Promise<SweepResult | undefined> {
    const started = Date.now();
    try {
      const result = await sweepRetention(this.db, this.options, { stopping: () => this.stopped });
      if (result.runs || result.events)
        this.log("info", "inngest retention purged old runs and events", { ...result, ms: Date.now() - started });
      return result;
    } catch (error) {
      if (!this.stopped)
        this.log("warn", "inngest retention sweep failed; nothing of the failed batch was deleted", {
          error: (error as Error).message,
        });
      return undefined;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current;
  }
}
