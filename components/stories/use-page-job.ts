"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { useStoryEvents } from "./story-events";
import type { PageJobData } from "./types";

/** How often the fallback asks for the job's state when the event stream is unavailable. */
const JOB_POLL_MS = 1500;
/** With no news for this long, the author is told that something is unusual (and can cancel). */
export const JOB_STALL_MS = 5 * 60_000;

/** Settled: nothing more will happen to the page because of this job. */
export function isJobSettled(job: PageJobData): boolean {
  if (job.status === "succeeded") return job.resolution !== null;
  return job.status === "failed" || job.status === "cancelled";
}

export function isJobActive(job: PageJobData | null): boolean {
  return job !== null && !isJobSettled(job);
}

/** Progress order: a late answer from the stream or a poll must not take a job backwards. */
function stage(job: PageJobData): number {
  if (isJobSettled(job)) return 3;
  if (job.status === "succeeded") return 2;
  return job.status === "running" ? 1 : 0;
}

export type JobTransport = "idle" | "stream" | "polling";

export interface TrackedJob {
  job: PageJobData | null;
  /** Local time of the last visible change (status or text); drives the "taking unusually long" message. */
  changedAt: number;
  transport: JobTransport;
}

/**
 * Follows one page job until it settles: on the story's event stream (StoryEventsProvider; its `job` events carry
 * the whole state), and while that stream is down or absent, GET /api/jobs/{id} every ~1.5 s. Whatever the source,
 * updates only move forward, and `onSettled` runs exactly once per job, when its outcome is known.
 */
export function usePageJob({
  initial = null,
  onSettled,
  pollMs = JOB_POLL_MS,
}: {
  /** A job already running when the page loaded (it is followed from the first render). */
  initial?: PageJobData | null;
  onSettled: (job: PageJobData) => void;
  pollMs?: number;
}) {
  const [state, setState] = useState<TrackedJob>(() => ({
    job: initial,
    changedAt: initial ? Date.now() : 0,
    transport: "idle",
  }));
  const jobRef = useRef<PageJobData | null>(initial);
  const onSettledRef = useRef(onSettled);
  useEffect(() => {
    onSettledRef.current = onSettled;
  });

  /** Takes a state of a job (from the stream, a poll, or an action's answer). Starts following a new job id. */
  const accept = useCallback((next: PageJobData) => {
    const current = jobRef.current;
    if (current && current.id === next.id) {
      if (isJobSettled(current) || stage(next) < stage(current)) return;
    }
    const visibleChange =
      !current ||
      current.id !== next.id ||
      current.status !== next.status ||
      current.partialText !== next.partialText ||
      current.resolution !== next.resolution;
    jobRef.current = next;
    setState((s) => ({ ...s, job: next, changedAt: visibleChange ? Date.now() : s.changedAt }));
    if (isJobSettled(next)) onSettledRef.current(next);
  }, []);

  /** Forgets a settled job (e.g. the author dismissed its outcome). */
  const clear = useCallback(() => {
    if (jobRef.current && !isJobSettled(jobRef.current)) return;
    jobRef.current = null;
    setState({ job: null, changedAt: 0, transport: "idle" });
  }, []);

  const jobId = state.job?.id ?? null;
  const active = isJobActive(state.job);
  const events = useStoryEvents();
  // No provider, or its stream is down: this hook polls. While the stream (re)connects it only listens.
  const streamStatus = events?.status ?? "down";
  const subscribe = events?.subscribe;

  useEffect(() => {
    if (!jobId || !active) return;
    let stopped = false;
    let timer: number | undefined;
    let failures = 0;
    const setTransport = (transport: JobTransport) =>
      setState((s) => (s.transport === transport ? s : { ...s, transport }));
    const settledNow = () => jobRef.current === null || jobRef.current.id !== jobId || isJobSettled(jobRef.current);

    const lose = (message: string) => {
      const current = jobRef.current;
      if (!current || current.id !== jobId) return;
      accept({
        ...current,
        status: "failed",
        errorCode: "CLIENT_LOST",
        errorMessage: message,
        resolution: null,
        page: null,
        suggestionId: null,
      });
    };

    const poll = async () => {
      if (stopped) return;
      try {
        const response = await fetch(`/api/jobs/${jobId}`, {
          cache: "no-store",
          headers: { accept: "application/json" },
        });
        if (stopped) return;
        if (response.ok) {
          failures = 0;
          accept((await response.json()) as PageJobData);
        } else if (response.status === 401) {
          lose(
            "You were signed out, so this page can't follow the AI any more. Sign in again and reload to see how it ended.",
          );
          return;
        } else if (response.status === 404 || response.status === 403) {
          lose(
            "This AI job can no longer be found: the page may have been deleted. Reload to see the page as it is now.",
          );
          return;
        } else {
          failures += 1;
        }
      } catch {
        // Offline or the server restarting: keep asking, a little less often.
        failures += 1;
      }
      if (!stopped && !settledNow()) {
        timer = window.setTimeout(() => void poll(), Math.min(pollMs * 2 ** Math.min(failures, 2), 6000));
      }
    };

    const startPolling = () => {
      if (stopped || settledNow()) return;
      setTransport("polling");
      void poll();
    };

    if (subscribe && streamStatus !== "down") {
      setTransport("stream");
      const unsubscribe = subscribe(jobId, (event) => {
        if ("partialText" in event && event.targetType === "page") accept(event);
      });
      return () => {
        stopped = true;
        unsubscribe();
      };
    }
    startPolling();

    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [jobId, active, accept, pollMs, streamStatus, subscribe]);

  return { job: state.job, changedAt: state.changedAt, transport: state.transport, accept, clear };
}
