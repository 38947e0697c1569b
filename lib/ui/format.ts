/** Pure formatting helpers shared by the UI. No React, no Next: easy to unit-test. */

const relativeFormat = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
const exactFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short" });
const dateOnlyUtc = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" });
const numberFormat = new Intl.NumberFormat("en-US");

const steps: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ["second", 60],
  ["minute", 60],
  ["hour", 24],
  ["day", 7],
  ["week", 4.34524],
  ["month", 12],
  ["year", Number.POSITIVE_INFINITY],
];

function toDate(value: Date | string | number): Date {
  return value instanceof Date ? value : new Date(value);
}

/** "just now", "5 minutes ago", "yesterday", "3 weeks ago"… */
export function formatRelative(value: Date | string | number, now: number = Date.now()): string {
  const date = toDate(value);
  let delta = (date.getTime() - now) / 1000;
  // Dates slightly in the future come from clock skew between server and browser: they are "now" too.
  if (delta > -45) return "just now";
  for (const [unit, size] of steps) {
    if (Math.abs(delta) < size) return relativeFormat.format(Math.round(delta), unit);
    delta /= size;
  }
  return exactFormat.format(date);
}

/** Local date and time, e.g. "Nov 22, 2026, 1:48 AM". */
export function formatExact(value: Date | string | number): string {
  return exactFormat.format(toDate(value));
}

/** A date that renders the same on the server and in any browser (used before hydration). */
export function formatStableDate(value: Date | string | number): string {
  return dateOnlyUtc.format(toDate(value));
}

export function formatCount(n: number): string {
  return numberFormat.format(n);
}

export function pluralize(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

const wordSegmenter = new Intl.Segmenter(undefined, { granularity: "word" });

/** Words as a reader counts them, in any script (Intl.Segmenter, not splitting on spaces, which fails for CJK). */
export function countWords(text: string): number {
  let words = 0;
  for (const segment of wordSegmenter.segment(text)) if (segment.isWordLike) words++;
  return words;
}
