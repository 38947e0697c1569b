"use client";

import { useSyncExternalStore } from "react";

/**
 * One interval per period, shared by every component that shows a time relative to now (an elapsed duration,
 * "5 minutes ago"), and stopped while nothing on the page listens: a list of fifty pages must not run fifty timers.
 */
interface Clock {
  now: number;
  listeners: Set<() => void>;
  timer: number | undefined;
  subscribe: (listener: () => void) => () => void;
  read: () => number;
}

const clocks = new Map<number, Clock>();

function clockFor(periodMs: number): Clock {
  const existing = clocks.get(periodMs);
  if (existing) return existing;
  const clock: Clock = {
    now: Date.now(),
    listeners: new Set(),
    timer: undefined,
    subscribe(listener) {
      clock.listeners.add(listener);
      if (clock.timer === undefined) {
        // The clock may have been stopped for a while: start from the true time, not the last tick.
        clock.now = Date.now();
        clock.timer = window.setInterval(() => {
          clock.now = Date.now();
          for (const l of clock.listeners) l();
        }, periodMs);
      }
      return () => {
        clock.listeners.delete(listener);
        if (clock.listeners.size === 0 && clock.timer !== undefined) {
          window.clearInterval(clock.timer);
          clock.timer = undefined;
        }
      };
    },
    read: () => clock.now,
  };
  clocks.set(periodMs, clock);
  return clock;
}

const onServer = () => null;

/**
 * The current time (ms since the epoch), updated every `periodMs`; null on the server and during hydration (the
 * server cannot know the reader's clock, so anything derived from it is rendered by the browser only).
 */
export function useTickingClock(periodMs: number): number | null {
  const clock = clockFor(periodMs);
  return useSyncExternalStore(clock.subscribe, clock.read, onServer);
}
