import { EventEmitter } from "node:events";

/**
 * In-process fan-out of a job's partial text to open SSE streams. It is only a fast path: listeners also poll the
 * ledger, which is what works across several app instances (or when the step ran in another process).
 */
export interface JobUpdate {
  jobId: string;
  partialText?: string;
  status?: string;
  /** The section being revised, for a job that revises a long text section by section. */
  section?: { number: number; count: number };
  /**
   * The job's scope (e.g. its story), on the news a scope's live view has not subscribed to yet (a job submitted or
   * started after the view opened): the view reads its jobs at once instead of at its next poll.
   */
  scopeId?: string | null;
}

const globalForLive = globalThis as unknown as { __storySproutJobLive?: EventEmitter };

function bus(): EventEmitter {
  if (!globalForLive.__storySproutJobLive) {
    const emitter = new EventEmitter();
    emitter.setMaxListeners(0);
    globalForLive.__storySproutJobLive = emitter;
  }
  return globalForLive.__storySproutJobLive;
}

const scopeChannel = (scopeId: string) => `scope:${scopeId}`;

export function publishJobUpdate(update: JobUpdate): void {
  bus().emit(update.jobId, update);
  if (update.scopeId) bus().emit(scopeChannel(update.scopeId), update);
}

export function subscribeJobUpdates(jobId: string, listener: (update: JobUpdate) => void): () => void {
  bus().on(jobId, listener);
  return () => bus().off(jobId, listener);
}

/** News of any job of a scope that carried its scope (see JobUpdate.scopeId). */
export function subscribeScopeUpdates(scopeId: string, listener: (update: JobUpdate) => void): () => void {
  bus().on(scopeChannel(scopeId), listener);
  return () => bus().off(scopeChannel(scopeId), listener);
}
