/**
 * Caps on open event streams: each one holds a connection and a listener for as long as the tab is open, so a user
 * may hold STREAMS_PER_USER of them (default 20) and the process STREAMS_PER_PROCESS (default 500). Counted in
 * process, like the streams themselves; a slot is released exactly once, however the stream ends.
 */

export const DEFAULT_STREAMS_PER_USER = 20;
export const DEFAULT_STREAMS_PER_PROCESS = 500;
/** What a refused client is told to wait; the browser's own back-off starts there too. */
export const STREAM_RETRY_AFTER_SECONDS = 30;

export interface StreamSlotLimits {
  perUser: number;
  perProcess: number;
}

type Env = Record<string, string | undefined>;

function positiveInteger(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value.trim() !== "" && Number.isInteger(n) && n > 0 ? n : fallback;
}

export function streamSlotLimits(env: Env = process.env): StreamSlotLimits {
  return {
    perUser: positiveInteger(env.STREAMS_PER_USER, DEFAULT_STREAMS_PER_USER),
    perProcess: positiveInteger(env.STREAMS_PER_PROCESS, DEFAULT_STREAMS_PER_PROCESS),
  };
}

export type SlotGrant = { ok: true; release: () => void } | { ok: false; refused: "user" | "process" };

export interface StreamSlots {
  acquire(userId: string): SlotGrant;
  counts(): { total: number; byUser: ReadonlyMap<string, number> };
}

/** `limits` is read at each acquire, so a changed setting (or a test's) applies to the next stream. */
export function createStreamSlots(limits: () => StreamSlotLimits = () => streamSlotLimits()): StreamSlots {
  const byUser = new Map<string, number>();
  let total = 0;
  return {
    acquire(userId) {
      const { perUser, perProcess } = limits();
      const mine = byUser.get(userId) ?? 0;
      if (mine >= perUser) return { ok: false, refused: "user" };
      if (total >= perProcess) return { ok: false, refused: "process" };
      byUser.set(userId, mine + 1);
      total += 1;
      let released = false;
      return {
        ok: true,
        release() {
          if (released) return;
          released = true;
          total -= 1;
          const left = (byUser.get(userId) ?? 1) - 1;
          if (left <= 0) byUser.delete(userId);
          else byUser.set(userId, left);
        },
      };
    },
    counts: () => ({ total, byUser }),
  };
}

const globalForSlots = globalThis as unknown as { __storySproutStreamSlots?: StreamSlots };

/** The process's slots (on globalThis, so a dev reload keeps counting the streams already open). */
export function streamSlots(): StreamSlots {
  globalForSlots.__storySproutStreamSlots ??= createStreamSlots();
  return globalForSlots.__storySproutStreamSlots;
}
