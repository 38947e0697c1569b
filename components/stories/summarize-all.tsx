"use client";

import { Sparkles, X } from "lucide-react";
import { useEffect, useState } from "react";
import { getSummarizeAllAction, requestSummarizeAllAction } from "@/app/actions/summaries";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { useRovingItem } from "@/components/ui/roving-toolbar";
import { callAction } from "@/lib/ui/call-action";
import { pageList } from "./background-revision-text";
import { useStoryRights } from "./story-rights";
import type { SummarizeAllData } from "./types";

const POLL_MS = 1000;
const POLL_FAILURES_SHOWN = 3;

const isActive = (job: SummarizeAllData | null) =>
  job !== null && (job.status === "pending" || job.status === "running");

function progressText(job: SummarizeAllData): string {
  if (job.total === 0 && !isActive(job)) return "Every page's summary was already up to date.";
  const parts = [`${job.done} of ${job.total} pages summarized`];
  if (job.failed > 0) parts.push(`${job.failed} failed`);
  if (job.cancelled > 0) parts.push(`${job.cancelled} cancelled`);
  return parts.join(", ");
}

function statusLabel(job: SummarizeAllData): string {
  switch (job.status) {
    case "pending":
      return "Starting…";
    case "running":
      return "Summarizing pages in the background";
    case "succeeded":
      return "Summaries are up to date";
    case "failed":
      return "Summarize all failed";
    case "cancelled":
      return "Summarize all was cancelled";
  }
}

function budgetWaitText(pages: number[]): string {
  const one = pages.length === 1;
  return one
    ? `The summary of ${pageList(pages)} is not refreshed: the AI budget of whoever saved it is used up. It is written once that budget allows again.`
    : `The summaries of ${pageList(pages)} are not refreshed: the AI budget of whoever saved them is used up. They are written once that budget allows again.`;
}

/**
 * "Summarize all" for a story's toolbar: brings every page's summary up to date in the background (pinned summaries
 * are kept), with its progress n of m and the pages that failed. A running one is picked up again after a reload.
 * It also says which pages' summaries wait for an AI budget, so that an author sees why the story's memory is behind
 * without opening each page's summary.
 */
export function SummarizeAll({ storyId, budgetWaits = [] }: { storyId: string; budgetWaits?: number[] }) {
  const { generate: canGenerate } = useStoryRights();
  const [job, setJob] = useState<SummarizeAllData | null>(null);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pollFailures, setPollFailures] = useState(0);
  const active = isActive(job);
  const toolbarItem = useRovingItem(starting || active);

  // A Summarize all already running (another tab, a reload) is shown; a finished one only once started here.
  useEffect(() => {
    let stopped = false;
    void callAction(() => getSummarizeAllAction({ storyId })).then((result) => {
      if (!stopped && result.ok && isActive(result.data)) setJob(result.data);
    });
    return () => {
      stopped = true;
    };
  }, [storyId]);

  const jobId = job?.id;
  useEffect(() => {
    if (!active || !jobId) return;
    let stopped = false;
    let timer: number | undefined;
    let failures = 0;
    const poll = async () => {
      const result = await callAction(() => getSummarizeAllAction({ storyId, jobId }));
      if (stopped) return;
      if (!result.ok || !result.data) {
        failures += 1;
        setPollFailures(failures);
        timer = window.setTimeout(poll, POLL_MS * Math.min(10, 2 ** failures));
        return;
      }
      failures = 0;
      setPollFailures(0);
      setJob(result.data);
      if (isActive(result.data)) timer = window.setTimeout(poll, POLL_MS);
    };
    timer = window.setTimeout(poll, POLL_MS);
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [active, jobId, storyId]);

  async function start() {
    setStarting(true);
    setError(null);
    const result = await callAction(() => requestSummarizeAllAction({ storyId }));
    setStarting(false);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    setJob(result.data.job);
  }

  if (!canGenerate) return null;
  const percent = job && job.total > 0 ? Math.round((job.done / job.total) * 100) : job && !active ? 100 : 0;
  return (
    <section aria-label="Page summaries" className="space-y-2" data-testid="summarize-all">
      <div className="flex flex-wrap items-center gap-2">
        <Button
          {...toolbarItem}
          data-testid="summarize-all-button"
          size="sm"
          variant="secondary"
          pending={starting}
          disabled={starting || active}
          onClick={start}
          icon={<Sparkles aria-hidden="true" className="size-4" />}
        >
          Summarize all
        </Button>
        <span className="text-xs text-stone-500">
          Brings every page&apos;s summary up to date; pinned ones are kept.
        </span>
      </div>
      {budgetWaits.length > 0 && !active ? (
        <Alert data-testid="summary-budget-waits" tone="warning">
          {budgetWaitText(budgetWaits)}
        </Alert>
      ) : null}
      {error ? (
        <Alert data-testid="summarize-all-error" tone="error">
          {error}
        </Alert>
      ) : null}
      {job ? (
        <div
          data-testid="summarize-all-progress"
          data-status={job.status}
          className="space-y-2 rounded-xl border border-violet-200 bg-white p-3"
        >
          <div className="flex flex-wrap items-center justify-between gap-2">
            <p className="font-medium text-stone-900">
              {statusLabel(job)} <span className="font-normal text-stone-500">· {job.modelLabel}</span>
            </p>
            {!active ? (
              <Button
                data-testid="summarize-all-dismiss"
                variant="ghost"
                size="icon"
                aria-label="Close the Summarize all progress"
                onClick={() => setJob(null)}
                icon={<X aria-hidden="true" className="size-4" />}
              />
            ) : null}
          </div>
          <div
            role="progressbar"
            aria-label="Summarize all progress"
            aria-valuemin={0}
            aria-valuemax={job.total}
            aria-valuenow={job.done}
            aria-valuetext={progressText(job)}
            className="h-2 overflow-hidden rounded-full bg-violet-100"
          >
            <div className="h-full rounded-full bg-violet-600 transition-[width]" style={{ width: `${percent}%` }} />
          </div>
          <p
            role="status"
            aria-live="polite"
            data-testid="summarize-all-progress-text"
            className="text-stone-700 tabular-nums"
          >
            {progressText(job)}
          </p>
          {pollFailures >= POLL_FAILURES_SHOWN ? (
            <p className="text-xs text-amber-700">We can&apos;t reach the server right now; still trying.</p>
          ) : null}
          {job.failures.length > 0 ? (
            <ul data-testid="summarize-all-failures" className="space-y-0.5 text-sm text-red-700">
              {job.failures.map((f) => (
                <li key={f.pageId}>
                  {f.pageNumber === null ? "A deleted page" : `Page ${f.pageNumber}`}: {f.message}
                </li>
              ))}
            </ul>
          ) : null}
          {job.skipped.length > 0 ? (
            <p className="text-sm text-stone-600">
              Skipped {pageList(job.skipped.map((s) => s.pageNumber)) || "some pages"}: already being summarized.
            </p>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
