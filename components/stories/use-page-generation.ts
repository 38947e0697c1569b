"use client";

import { useEffect, useEffectEvent, useRef, useState } from "react";
import { cancelPageJobAction, requestPageTextAction } from "@/app/actions/generation";
import { useToast } from "@/components/ui/toast";
import { fieldErrors } from "@/lib/ui/call-action";
import { callActionWithTimeout } from "@/lib/ui/call-action-with-timeout";
import { useLatest } from "@/lib/ui/use-latest";
import type { PageData, PageJobData, SuggestionData } from "./types";
import { useStoryEvents } from "./story-events";
import { useJobLanding } from "./use-job-landing";
import { isJobActive, isJobSettled, usePageJob, type JobTransport } from "./use-page-job";

/** A request Generate could not start, in words, and whether pressing Retry could help. */
export interface RequestFailure {
  message: string;
  canRetry: boolean;
}

const NOT_RETRYABLE = new Set(["GEN_BUDGET_EXCEEDED", "VALIDATION", "NOT_FOUND", "FORBIDDEN"]);

/** What a page card knows and can do about AI generation on its page; handed to the editor. */
export interface PageGeneration {
  /** The job being followed: running, or the last one that settled here (until dismissed). */
  job: PageJobData | null;
  /** Local time of the job's last visible change. */
  changedAt: number;
  transport: JobTransport;
  /** The configured model's label, e.g. "offline model" (null if the model is misconfigured). */
  modelLabel: string | null;
  cancelling: boolean;
  /** Starts a job (or joins the running one); resolves to why it was refused, or null once the job is followed. */
  /** `fresh`: a new take, never the earlier identical result from the generation cache. */
  request: (instruction: string, options?: { fresh?: boolean }) => Promise<RequestFailure | null>;
  cancel: () => void;
  /** Forgets a settled job's outcome (hides its message). */
  dismiss: () => void;
}

/**
 * AI generation on one page: starting, cancelling and retrying a job, following it (and any job the server reports
 * for the page, e.g. started in another tab), and landing its outcome once. `announcement` is the text for the
 * card's polite live region.
 */
export function usePageGeneration({
  page,
  pageNumber,
  activeJob,
  modelLabel,
  onChanged,
  onSuggestionAdded,
  undo,
}: {
  page: PageData;
  pageNumber: number;
  /** The page's running job as the server last reported it. */
  activeJob: PageJobData | null;
  modelLabel: string | null;
  onChanged: (page: PageData) => void;
  onSuggestionAdded: (suggestion: SuggestionData) => void;
  undo: (jobId: string) => Promise<void>;
}) {
  const toast = useToast();
  const [cancelling, setCancelling] = useState(false);
  const [retrying, setRetrying] = useState(false);
  const [announcement, setAnnouncement] = useState("");
  // Outcomes and action answers arrive after renders: they must see the page as it is now.
  const latest = useLatest({ page, pageNumber });
  /** Jobs whose outcome was already handled here: a late server list must not bring them back. */
  const settledJobs = useRef(new Set<string>());
  const land = useJobLanding({ onChanged, onSuggestionAdded, undo, announce: setAnnouncement });

  const tracker = usePageJob({
    initial: activeJob,
    onSettled: (settled) => {
      settledJobs.current.add(settled.id);
      setCancelling(false);
      land(settled, latest.current);
    },
  });
  const job = tracker.job;

  // The server reports a job we are not following yet (a refresh after another tab started one): follow it. Only a
  // new report should trigger this, so the check of what we follow now reads the tracker without depending on it.
  const followReportedJob = useEffectEvent((reported: PageJobData) => {
    if (settledJobs.current.has(reported.id)) return;
    if (tracker.job?.id === reported.id || isJobActive(tracker.job)) return;
    tracker.accept(reported);
  });
  useEffect(() => {
    if (activeJob) followReportedJob(activeJob);
  }, [activeJob]);

  // Any job the story's stream reports running on this page is followed too: one started in another tab, through
  // the REST API, by an admin's retry or a background revision. Settled jobs seen for the first time are not: their
  // outcome was already shown where they were followed (and in this tab's page text on the next refresh).
  const events = useStoryEvents();
  const subscribeAll = events?.subscribeAll;
  const pageId = page.id;
  useEffect(() => {
    if (!subscribeAll) return;
    return subscribeAll((event) => {
      // Page jobs only (a take set shares the page's target but is shown by the takes panel).
      if (!("partialText" in event) || event.targetType !== "page" || event.pageId !== pageId) return;
      if (isJobActive(event)) followReportedJob(event);
    });
  }, [subscribeAll, pageId]);

  async function request(instruction: string, options: { fresh?: boolean } = {}): Promise<RequestFailure | null> {
    const result = await callActionWithTimeout(() =>
      requestPageTextAction({ pageId: page.id, instruction, ...(options.fresh ? { fresh: true } : {}) }),
    );
    if (!result.ok) {
      const fieldError = fieldErrors(result.error.details).instruction;
      return {
        message: fieldError ?? result.error.message,
        // Pressing again changes nothing until the input changes or the budget resets.
        canRetry: !fieldError && !NOT_RETRYABLE.has(result.error.code),
      };
    }
    if (!settledJobs.current.has(result.data.id)) tracker.accept(result.data);
    if (isJobActive(result.data) && result.data.parentJobId) {
      // Joined the page's job of a running background revision (one job per page at a time).
      toast.show({
        tone: "info",
        message: `Page ${latest.current.pageNumber} is being revised by the background revision right now; its text will wait as a suggestion. Generate again once it is done.`,
      });
      return null;
    }
    if (isJobActive(result.data)) {
      setAnnouncement(
        `Generating page ${latest.current.pageNumber} with the ${result.data.modelLabel}. The text appears in the page as it is written.`,
      );
    }
    return null;
  }

  async function cancel() {
    const current = tracker.job;
    if (!current || !isJobActive(current) || cancelling) return;
    setCancelling(true);
    const result = await callActionWithTimeout(() => cancelPageJobAction({ jobId: current.id }));
    if (!result.ok) {
      setCancelling(false);
      toast.error(result.error.message);
      return;
    }
    tracker.accept(result.data);
    // Already finished (it won the race): the stream brings the outcome.
    if (!isJobSettled(result.data)) setCancelling(false);
  }

  /** Retry from the page itself (the editor retries with its own instruction field). */
  async function retry() {
    if (retrying || !job) return;
    setRetrying(true);
    const failure = await request(job.instruction);
    setRetrying(false);
    if (failure) toast.error(failure.message);
  }

  const generation: PageGeneration = {
    job,
    changedAt: tracker.changedAt,
    transport: tracker.transport,
    modelLabel,
    cancelling,
    request,
    cancel: () => void cancel(),
    dismiss: tracker.clear,
  };

  return {
    generation,
    job,
    generating: isJobActive(job),
    retrying,
    retry: () => void retry(),
    announcement,
  };
}
