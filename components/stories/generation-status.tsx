"use client";

import { CircleCheck, CircleStop, Sparkles } from "lucide-react";
import type { Ref } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Elapsed, formatElapsed, useSecondClock } from "@/components/ui/elapsed";
import { Spinner } from "@/components/ui/spinner";
import { cn } from "@/lib/ui/cn";
import { GenerationFailureAlert } from "./generation-failure-alert";
import type { PageJobData } from "./types";
import { isJobSettled, JOB_STALL_MS, type JobTransport } from "./use-page-job";
import { suggestionReasonText, UNCHANGED_TEXT } from "./suggestion-reason-text";
import { useStoryRights } from "./story-rights";

/** The text the model has written so far, or null before the first words. */
export function streamedText(job: PageJobData): string | null {
  const text = job.partialText ?? job.outputText;
  return text ? text : null;
}

/** What the job is doing, in words (a page revised section by section says which section). */
export function stageText(job: PageJobData): string {
  const verb = job.jobType === "page_text.write" ? "writing" : "revising";
  switch (job.status) {
    case "pending":
      return `Waiting for the ${job.modelLabel}…`;
    case "running":
      if (job.attempt?.retryAt) return `The ${job.modelLabel} will try again…`;
      if (job.sections && job.sections.count > 1)
        return job.sections.current !== null
          ? `The ${job.modelLabel} is ${verb} this page, section ${job.sections.current} of ${job.sections.count}…`
          : `The ${job.modelLabel} is ${verb} this page in ${job.sections.count} sections…`;
      return streamedText(job)
        ? `The ${job.modelLabel} is ${verb} this page…`
        : `The ${job.modelLabel} is reading the story…`;
    case "succeeded":
      return "Putting the new text in place…";
    default:
      return "";
  }
}

/**
 * The job's retries in words, or null on a first attempt that has not failed: "Attempt 1 of 4 failed — the AI
 * provider was unavailable. Trying again in 8 s." while it waits, "Attempt 2 of 4 (the last try failed: …)" once the
 * next one runs. `now` is the local clock (null before hydration).
 */
export function attemptText(job: PageJobData, now: number | null): string | null {
  const attempt = job.attempt;
  if (!attempt?.retryReason) return null;
  if (attempt.retryAt) {
    const left = now === null ? null : Date.parse(attempt.retryAt) - now;
    const when = left === null ? "shortly" : left > 1000 ? `in ${formatElapsed(left)}` : "now";
    return `Attempt ${attempt.number} of ${attempt.max} failed — ${attempt.retryReason}. Trying again ${when}.`;
  }
  return `Attempt ${attempt.number} of ${attempt.max} — the last try failed: ${attempt.retryReason}.`;
}

/**
 * The state of the page's job: while it runs, a spinner, what is happening, the elapsed time and Cancel (plus a
 * warning when nothing has changed for a long time); once settled, the outcome (failures with Retry).
 * `data-status` is the job's status. Not itself a live region: the card announces start and end.
 */
export function GenerationStatus({
  job,
  changedAt,
  transport,
  cancelling,
  retrying = false,
  onCancel,
  onRetry,
  onDismiss,
  cancelRef,
  className,
}: {
  job: PageJobData;
  changedAt: number;
  transport: JobTransport;
  cancelling: boolean;
  retrying?: boolean;
  onCancel: () => void;
  onRetry: () => void;
  onDismiss: () => void;
  cancelRef?: Ref<HTMLButtonElement>;
  className?: string;
}) {
  const clock = useSecondClock();
  const { generate: canGenerate } = useStoryRights();
  if (!isJobSettled(job)) {
    const quietFor = clock === null || changedAt === 0 ? 0 : clock - changedAt;
    const stalled = quietFor > JOB_STALL_MS;
    const attempt = attemptText(job, clock);
    const waiting = Boolean(job.attempt?.retryAt);
    return (
      <div
        data-testid="generate-status"
        data-status={job.status}
        data-transport={transport}
        className={cn("space-y-2", className)}
      >
        <div className="flex flex-wrap items-center gap-x-3 gap-y-2 text-sm">
          <span className="inline-flex items-center gap-2 font-medium text-violet-900">
            <Spinner className="text-violet-600" />
            {stageText(job)}
          </span>
          <Elapsed since={job.createdAt} testId="generate-elapsed" className="text-xs text-stone-500" />
          {canGenerate ? (
            <Button
              ref={cancelRef}
              data-testid="generate-cancel"
              size="sm"
              variant="ghost-danger"
              pending={cancelling}
              onClick={onCancel}
              icon={<CircleStop aria-hidden="true" className="size-4" />}
            >
              {cancelling ? "Cancelling…" : "Cancel generation"}
            </Button>
          ) : null}
        </div>
        {attempt ? (
          <p
            data-testid="generate-attempt"
            data-attempt={job.attempt?.number}
            data-waiting={waiting || undefined}
            className={cn("text-xs", waiting ? "font-medium text-amber-800" : "text-stone-600")}
          >
            {attempt}
          </p>
        ) : null}
        {transport === "polling" ? (
          <p className="text-xs text-stone-500">
            Live updates were interrupted; checking for progress every few seconds.
          </p>
        ) : null}
        {stalled ? (
          <Alert tone="warning" data-testid="generate-stalled">
            This is taking unusually long: nothing has changed for {formatElapsed(quietFor)}. You can keep waiting or
            cancel the generation — your text is safe either way.
          </Alert>
        ) : null}
      </div>
    );
  }

  if (job.status === "failed" || job.status === "cancelled") {
    const cancelled = job.status === "cancelled";
    return (
      <div data-testid="generate-status" data-status={job.status} className={className}>
        <GenerationFailureAlert
          message={job.errorMessage ?? "The generation failed. Your text is unchanged."}
          tone={cancelled ? "warning" : "error"}
          errorCode={job.errorCode ?? undefined}
          retrying={retrying}
          canRetry={canGenerate}
          onRetry={onRetry}
          onDismiss={onDismiss}
        />
      </div>
    );
  }

  return (
    <div
      data-testid="generate-status"
      data-status={job.status}
      data-resolution={job.resolution ?? undefined}
      className={cn("flex items-start gap-2 text-sm text-stone-600", className)}
    >
      {job.resolution === "suggested" ? (
        <Sparkles aria-hidden="true" className="mt-0.5 size-4 shrink-0 text-violet-600" />
      ) : (
        <CircleCheck aria-hidden="true" className="mt-0.5 size-4 shrink-0 text-emerald-600" />
      )}
      <p>
        {job.resolution === "suggested"
          ? `${suggestionReasonText(job.suggestionReason)} Compare its text with the page below and apply or discard it.`
          : job.resolution === "unchanged"
            ? UNCHANGED_TEXT
            : `Done: the ${job.modelLabel} ${job.jobType === "page_text.write" ? "wrote" : "revised"} this page. Undo it from the notification, or bring back any version from the history.`}
        {job.reused ? (
          <span data-testid="generate-reused" className="mt-1 block text-xs text-stone-700">
            Reused the result of an identical earlier request (no model call, no cost). Tick “New take” for a fresh one.
          </span>
        ) : null}
      </p>
    </div>
  );
}
