/** When the story's event stream (story-events.tsx) tries again after it failed. */

export const STREAM_FIRST_RETRY_MS = 1000;
export const STREAM_MAX_RETRY_MS = 60_000;
/** The server's Retry-After for a refused stream (429 TOO_MANY_STREAMS). */
export const STREAM_REFUSED_RETRY_MS = 30_000;

/**
 * How long to wait before reconnecting after `failures` failures in a row: 1 s doubling to 60 s; a refused stream
 * (`refused`: closed for good by an HTTP answer such as a 429, which EventSource does not let us read) waits at
 * least 30 s. Jittered upwards by up to half (`random` in [0, 1)), never below the wait, so the tabs of a restarted
 * server do not all come back in the same second.
 */
export function reconnectDelay(failures: number, refused: boolean, random: number = Math.random()): number {
  const base = Math.min(STREAM_MAX_RETRY_MS, STREAM_FIRST_RETRY_MS * 2 ** Math.max(0, failures - 1));
  const wait = refused ? Math.max(base, STREAM_REFUSED_RETRY_MS) : base;
  return Math.round(wait * (1 + random * 0.5));
}
