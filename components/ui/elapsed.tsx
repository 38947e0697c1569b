"use client";

import { useTickingClock } from "@/lib/ui/use-ticking-clock";

/** The current time, updated every second (null on the server and during hydration); for running durations. */
export function useSecondClock(): number | null {
  return useTickingClock(1000);
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
