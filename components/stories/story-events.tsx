"use client";

import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import type { StoryJobEvent } from "@/lib/stories";
import { reconnectDelay } from "./stream-backoff";

/**
 * The story's one event stream in this tab (GET /api/stories/{id}/events): every job of the story arrives on it, and
 * each hook listens for the jobs it follows instead of opening a stream of its own. When the stream is down the
 * hooks fall back to polling; it reconnects with a growing, jittered delay, and after a refusal (a 429 when too many
 * streams are open, which EventSource reports only as a closed stream) it waits longer, so a crowded server is not
 * hammered.
 */

/** `connecting`: opening or re-opening after a normal end; `down`: failed, polling until it is back. */
export type StoryStreamStatus = "connecting" | "open" | "down";

export type StoryJobListener = (job: StoryJobEvent) => void;

export interface StoryEvents {
  status: StoryStreamStatus;
  /** The job's events (the last one already received first); returns the unsubscribe. */
  subscribe(jobId: string, listener: StoryJobListener): () => void;
  /** Every job's events (the jobs already received first, oldest first). */
  subscribeAll(listener: StoryJobListener): () => void;
}

const StoryEventsContext = createContext<StoryEvents | null>(null);

/** The story's events, or null outside a StoryEventsProvider (the hooks then poll). */
export function useStoryEvents(): StoryEvents | null {
  return useContext(StoryEventsContext);
}

/** A stream not open after this long counts as failed. */
const OPEN_TIMEOUT_MS = 10_000;
/** A stream open at least this long before it ended was healthy: its end is not a failure. */
const HEALTHY_STREAM_MS = 10_000;
/** Jobs remembered for late subscribers (the server's stream carries active and recently settled jobs). */
const REMEMBERED_JOBS = 500;

export function StoryEventsProvider({ storyId, children }: { storyId: string; children: ReactNode }) {
  const [status, setStatus] = useState<StoryStreamStatus>("connecting");
  const listeners = useRef(new Map<string, Set<StoryJobListener>>());
  const everyJob = useRef(new Set<StoryJobListener>());
  const latest = useRef(new Map<string, StoryJobEvent>());

  useEffect(() => {
    if (typeof EventSource === "undefined") {
      setStatus("down");
      return;
    }
    let stopped = false;
    let source: EventSource | null = null;
    let timer: number | undefined;
    let failures = 0;

    const deliver = (job: StoryJobEvent) => {
      latest.current.delete(job.id);
      latest.current.set(job.id, job);
      if (latest.current.size > REMEMBERED_JOBS) latest.current.delete(latest.current.keys().next().value!);
      for (const listener of [...(listeners.current.get(job.id) ?? [])]) listener(job);
      for (const listener of [...everyJob.current]) listener(job);
    };

    const connect = () => {
      if (stopped) return;
      let openedAt: number | null = null;
      const current = new EventSource(`/api/stories/${encodeURIComponent(storyId)}/events`);
      source = current;
      current.onopen = () => {
        window.clearTimeout(openTimer);
        openedAt = Date.now();
        setStatus("open");
      };
      current.addEventListener("job", (event) => {
        try {
          deliver(JSON.parse((event as MessageEvent<string>).data) as StoryJobEvent);
        } catch {
          // A malformed message: the next one (or the fallback) brings the state.
        }
      });
      // A stream that does not open (a proxy holding it back) is as good as down: the hooks poll meanwhile.
      const openTimer = window.setTimeout(() => current.onerror?.(new Event("error")), OPEN_TIMEOUT_MS);
      current.onerror = () => {
        window.clearTimeout(openTimer);
        // The browser would retry by itself at a fixed pace (or never, after an HTTP refusal): the back-off is ours.
        const refused = current.readyState === EventSource.CLOSED && openedAt === null;
        current.close();
        if (stopped || source !== current) return;
        source = null;
        // A stream that served a while and ended (the server ends them now and then, to check access again) is
        // reopened soon, without falling back to polling. One that failed, or ended at once, counts as a failure.
        const ended = !refused && openedAt !== null && Date.now() - openedAt > HEALTHY_STREAM_MS;
        failures = ended ? 1 : failures + 1;
        setStatus(ended ? "connecting" : "down");
        timer = window.setTimeout(connect, reconnectDelay(failures, refused));
      };
    };
    setStatus("connecting");
    connect();
    return () => {
      stopped = true;
      source?.close();
      window.clearTimeout(timer);
    };
  }, [storyId]);

  const subscribe = useCallback((jobId: string, listener: StoryJobListener) => {
    const set = listeners.current.get(jobId) ?? new Set();
    set.add(listener);
    listeners.current.set(jobId, set);
    const known = latest.current.get(jobId);
    if (known) listener(known);
    return () => {
      set.delete(listener);
      if (set.size === 0 && listeners.current.get(jobId) === set) listeners.current.delete(jobId);
    };
  }, []);

  const subscribeAll = useCallback((listener: StoryJobListener) => {
    everyJob.current.add(listener);
    // A listener that joins late (a page added, a card remounted) still learns of the jobs running now.
    for (const known of [...latest.current.values()]) listener(known);
    return () => {
      everyJob.current.delete(listener);
    };
  }, []);

  const value = useMemo(() => ({ status, subscribe, subscribeAll }), [status, subscribe, subscribeAll]);
  return <StoryEventsContext.Provider value={value}>{children}</StoryEventsContext.Provider>;
}
