// Inngest durations: "1s", "10m", "2h30m", "1w2d", as produced by the SDK's timeStr(); "500ms" is accepted too.
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/y;

/** Milliseconds for a duration string; throws on anything else so a bad config fails at registration. */
export function parseDuration(text: string): number {
  const input = text.trim();
  if (!input) throw new Error(`Invalid duration ""`);
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < input.length) {
    const start = PART.lastIndex;
    const match = PART.exec(input);
    if (!match || match.index !== start) throw new Error(`Invalid duration "${text}"`);
    total += Number(match[1]) * UNITS[match[2]!]!;
  }
  return total;
}

/** A sleep op's target: the SDK puts a duration ("1m") or, for sleepUntil, an ISO date in the op's name. */
export function sleepTarget(name: string, now: number): Date {
  if (/^\d+(?:\.\d+)?(ms|s|m|h|d|w)/.test(name)) return new Date(now + parseDuration(name));
  const at = Date.parse(name);
  if (Number.isNaN(at)) throw new Error(`Invalid sleep duration or date "${name}"`);
  return new Date(at);
}
