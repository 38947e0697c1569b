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

export function publishJobUpdate(update: JobUpdate): void {
  bus().emit(update.jobId, update);
}

export function subscribeJobUpdates(jobId: string, listener: (update: JobUpdate) => void): () => void {
  bus().on(jobId, listener);
  return () => bus().off(jobId, listener);
}
