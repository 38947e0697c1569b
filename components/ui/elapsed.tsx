"use client";

import { useSyncExternalStore } from "react";

// One shared clock that ticks every second while something on the page shows a running duration.
let now = 0;
const listeners = new Set<() => void>();
let timer: number | undefined;

function subscribe(listener: () => void) {
  listeners.add(listener);
  if (timer === undefined) {
    now = Date.now();
    timer = window.setInterval(() => {
      now = Date.now();
      for (const l of listeners) l();
    }, 1000);
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
 * The current time, updated every second; null on the server and during hydration (the server cannot know the
 * reader's clock, so anything derived from it is rendered by the browser only).
 */
export function useSecondClock(): number | null {
  return useSyncExternalStore(
    subscribe,
    () => now,
    () => null,
  );
}

/** "4 s", "1 min 05 s", "1 h 02 min". */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  if (total < 60) return `${total} s`;
  const minutes = Math.floor(total / 60);
  if (minutes < 60) return `${minutes} min ${String(total % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/**
 * Seconds since `since`, ticking. Not a live region: a screen reader reads it when asked, it does not announce
 * every second.
 */
export function Elapsed({ since, testId, className }: { since: string | number; testId?: string; className?: string }) {
  const clock = useSecondClock();
  const start = typeof since === "number" ? since : Date.parse(since);
  // Server and browser clocks can disagree a little: never show a negative duration.
  const ms = clock === null || Number.isNaN(start) ? 0 : clock - start;
  return (
    <span data-testid={testId} className={className} title="Time since the request">
      <span className="tabular-nums">{clock === null ? "…" : formatElapsed(ms)}</span>
    </span>
  );
}
