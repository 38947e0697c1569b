import type { AiJob } from "@/db/ai-schema";
import { subscribeJobUpdates, subscribeScopeUpdates, type JobUpdate } from "./live";

/**
 * The live view of a scope's jobs (e.g. every job of one story), shared by all its listeners: while a scope has at
 * least one listener, ONE poller reads its jobs every `intervalMs` (one query, whatever the number of listeners) and
 * sends each job whose view changed to every listener; in-process pushes of partial text go out at once. The poller
 * stops when the last listener leaves. A listener that joins gets the current view of every job first.
 *
 * What a job looks like to listeners is the caller's (`views`): lib/ai knows only ledger rows.
 */

/** One job's view, serialised once for all listeners. */
export interface LiveJobEvent<V> {
  jobId: string;
  view: V;
  /** `JSON.stringify(view)`. */
  data: string;
}

export type LiveJobListener<V> = (event: LiveJobEvent<V>) => void;

export interface LiveJobViews<V> {
  /** What listeners get for a job (null: the job is not shown). `read` is the whole tick's read, for fan-out progress. */
  view(job: AiJob, read: readonly AiJob[]): Promise<V | null> | V | null;
  /**
   * A cheap fingerprint of what the view depends on: the same key as last tick and the view is not rebuilt (a view
   * may cost queries). null: always rebuilt. Without `key`, every view is rebuilt every tick.
   */
  key?(job: AiJob, read: readonly AiJob[]): string | null;
  /** An in-process push (partial text) applied to the job's last view; null: nothing to send. */
  push?(view: V, update: JobUpdate): V | null;
}

export interface ScopeHubOptions<V> {
  read(scopeId: string): Promise<AiJob[]>;
  views: LiveJobViews<V>;
  intervalMs?: number;
  /** The in-process bus (lib/ai/jobs/live.ts); injectable for tests. */
  subscribeUpdates?: (jobId: string, listener: (update: JobUpdate) => void) => () => void;
  /** News of a scope's jobs that carry the scope (a job submitted or started); injectable for tests. */
  subscribeScope?: (scopeId: string, listener: (update: JobUpdate) => void) => () => void;
  /** A failed tick (the next one tries again); listeners stay. */
  onError?(error: unknown, scopeId: string): void;
}

export interface ScopeHub<V> {
  subscribe(scopeId: string, listener: LiveJobListener<V>): () => void;
  /** Scopes being polled and their listeners (metrics and tests). */
  stats(): { scopes: number; listeners: number };
}

interface Entry<V> {
  scopeId: string;
  listeners: Set<LiveJobListener<V>>;
  jobs: Map<string, { key: string | null; view: V; data: string }>;
  pushes: Map<string, () => void>;
  /** Unsubscribes from the scope's news. */
  offScope: () => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  polling: boolean;
  /** A tick was asked for while one ran (a status push): run again right after it. */
  again: boolean;
  stopped: boolean;
}

const isActive = (job: AiJob) => job.status === "pending" || job.status === "running";

export function createScopeHub<V>(options: ScopeHubOptions<V>): ScopeHub<V> {
  const intervalMs = options.intervalMs ?? 1000;
  const subscribeUpdates = options.subscribeUpdates ?? subscribeJobUpdates;
  const subscribeScope = options.subscribeScope ?? subscribeScopeUpdates;
  const entries = new Map<string, Entry<V>>();

  function emit(entry: Entry<V>, event: LiveJobEvent<V>) {
    for (const listener of [...entry.listeners]) {
      try {
        listener(event);
      } catch (error) {
        // One broken listener (a stream closed mid-write) must not keep the others from their news.
        options.onError?.(error, entry.scopeId);
      }
    }
  }

  function onPush(entry: Entry<V>, update: JobUpdate) {
    if (entry.stopped) return;
    if (update.partialText !== undefined && options.views.push) {
      const last = entry.jobs.get(update.jobId);
      const next = last ? options.views.push(last.view, update) : null;
      if (last && next !== null) {
        const data = JSON.stringify(next);
        if (data !== last.data) {
          entry.jobs.set(update.jobId, { key: last.key, view: next, data });
          emit(entry, { jobId: update.jobId, view: next, data });
        }
      }
    }
    // A status change is worth a read now rather than at the next tick (the outcome needs the ledger anyway).
    if (update.status) void tick(entry);
  }

  /**
   * A job of the scope this hub does not follow yet (submitted, or started, since the last read): read now, so its
   * pushes are subscribed before its first token rather than up to a poll interval later. A job already followed
   * brings its news through its own subscription.
   */
  function onScopeNews(entry: Entry<V>, update: JobUpdate) {
    if (entry.stopped || entry.pushes.has(update.jobId)) return;
    void tick(entry);
  }

  function syncPushes(entry: Entry<V>, rows: readonly AiJob[]) {
    const active = new Set(rows.filter(isActive).map((job) => job.id));
    for (const [jobId, off] of entry.pushes) {
      if (active.has(jobId)) continue;
      off();
      entry.pushes.delete(jobId);
    }
    for (const jobId of active) {
      if (!entry.pushes.has(jobId))
        entry.pushes.set(
          jobId,
          subscribeUpdates(jobId, (u) => onPush(entry, u)),
        );
    }
  }

  async function tick(entry: Entry<V>): Promise<void> {
    if (entry.stopped) return;
    if (entry.polling) {
      entry.again = true;
      return;
    }
    entry.polling = true;
    clearTimeout(entry.timer);
    try {
      const rows = await options.read(entry.scopeId);
      if (entry.stopped) return;
      const seen = new Set<string>();
      for (const job of rows) {
        seen.add(job.id);
        const last = entry.jobs.get(job.id);
        const key = options.views.key ? options.views.key(job, rows) : null;
        if (last && key !== null && last.key === key) continue;
        const view = await options.views.view(job, rows);
        if (entry.stopped) return;
        if (view === null) continue;
        const data = JSON.stringify(view);
        entry.jobs.set(job.id, { key, view, data });
        if (last?.data !== data) emit(entry, { jobId: job.id, view, data });
      }
      // Jobs that left the read (settled a while ago) are forgotten, so a long-open scope does not grow.
      for (const jobId of [...entry.jobs.keys()]) if (!seen.has(jobId)) entry.jobs.delete(jobId);
      syncPushes(entry, rows);
    } catch (error) {
      options.onError?.(error, entry.scopeId);
    } finally {
      entry.polling = false;
      if (!entry.stopped) {
        if (entry.again) {
          entry.again = false;
          void tick(entry);
        } else {
          entry.timer = setTimeout(() => void tick(entry), intervalMs);
        }
      }
    }
  }

  function stop(entry: Entry<V>) {
    entry.stopped = true;
    clearTimeout(entry.timer);
    entry.offScope();
    for (const off of entry.pushes.values()) off();
    entry.pushes.clear();
    if (entries.get(entry.scopeId) === entry) entries.delete(entry.scopeId);
  }

  return {
    subscribe(scopeId, listener) {
      let entry = entries.get(scopeId);
      if (!entry) {
        entry = {
          scopeId,
          listeners: new Set([listener]),
          jobs: new Map(),
          pushes: new Map(),
          offScope: () => {},
          timer: undefined,
          polling: false,
          again: false,
          stopped: false,
        };
        const created = entry;
        entry.offScope = subscribeScope(scopeId, (update) => onScopeNews(created, update));
        entries.set(scopeId, entry);
        void tick(entry);
      } else {
        for (const [jobId, { view, data }] of entry.jobs) listener({ jobId, view, data });
        entry.listeners.add(listener);
      }
      const joined = entry;
      return () => {
        if (!joined.listeners.delete(listener)) return;
        if (joined.listeners.size === 0) stop(joined);
      };
    },
    stats() {
      let listeners = 0;
      for (const entry of entries.values()) listeners += entry.listeners.size;
      return { scopes: entries.size, listeners };
    },
  };
}
