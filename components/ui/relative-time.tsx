"use client";

import { useSyncExternalStore } from "react";
import { formatExact, formatRelative, formatStableDate } from "@/lib/ui/format";

// One shared clock that ticks every 30 seconds, so that "2 minutes ago" stays true while the page is open.
let now = Date.now();
const listeners = new Set<() => void>();
let timer: number | undefined;

function subscribe(listener: () => void) {
  listeners.add(listener);
  if (timer === undefined) {
    now = Date.now();
    timer = window.setInterval(() => {
      now = Date.now();
      for (const l of listeners) l();
    }, 30_000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== undefined) {
      window.clearInterval(timer);
      timer = undefined;
    }
  };
}

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
  const clock = useSyncExternalStore(
    subscribe,
    () => now,
    () => null,
  );
  const iso = typeof date === "string" ? date : date.toISOString();
  const text = clock === null ? formatStableDate(iso) : formatRelative(iso, clock);
  return (
    <time data-testid={testId} dateTime={iso} title={clock === null ? iso : formatExact(iso)} className={className}>
      {prefix ? `${prefix} ` : null}
      {text}
    </time>
  );
}
