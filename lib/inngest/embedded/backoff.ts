/** Exponential backoff with jitter: attempt n waits between half and all of min(max, base * 2^n). */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(cap / 2 + random() * (cap / 2));
}

/**
 * The SDK's Retry-After (from RetryAfterError) is a number of seconds or an ISO date. Returns the time to retry
 * at, or null when absent or unreadable.
 */
export function retryAfterTime(header: string | null | undefined, now: number): Date | null {
  if (!header) return null;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return new Date(now + Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : new Date(at);
}
