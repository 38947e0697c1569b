"use client";

import { formatExact, formatRelative, formatStableDate } from "@/lib/ui/format";
import { useTickingClock } from "@/lib/ui/use-ticking-clock";

/** Often enough that "2 minutes ago" stays true while the page is open, rarely enough to cost nothing. */
const RELATIVE_TIME_TICK_MS = 30_000;

/**
 * "5 minutes ago", with the exact local date and time in the title (and on hover).
 * The server cannot know the reader's clock or time zone: it renders a stable date, and the browser takes over.
 */
export function RelativeTime({
  date,
  prefix,
  className,
  testId,
}: {
  date: string | Date;
  prefix?: string;
  className?: string;
  testId?: string;
}) {
  const clock = useTickingClock(RELATIVE_TIME_TICK_MS);
  const iso = typeof date === "string" ? date : date.toISOString();
  const text = clock === null ? formatStableDate(iso) : formatRelative(iso, clock);
  return (
    <time data-testid={testId} dateTime={iso} title={clock === null ? iso : formatExact(iso)} className={className}>
      {prefix ? `${prefix} ` : null}
      {text}
    </time>
  );
}
