"use client";

import { CircleCheck, CircleStop, RotateCcw, Sparkles, WandSparkles, X } from "lucide-react";
import { useId, type KeyboardEvent, type Ref } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Elapsed, formatElapsed, useSecondClock } from "@/components/ui/elapsed";
import { Input } from "@/components/ui/input";
import { Spinner } from "@/components/ui/spinner";
import { cn } from "@/lib/ui/cn";
import { INSTRUCTION_MAX } from "@/lib/stories/limits";
import { formatCount } from "@/lib/ui/format";
import { AiBudgetHint } from "./ai-budget";
import type { PageJobData } from "./types";
import { isJobActive, isJobSettled, JOB_STALL_MS, type JobTransport } from "./use-page-job";


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
  /** Starts a job (or joins the running one); resolves to an error message, or null once the job is followed. */
  request: (instruction: string) => Promise<string | null>;
  cancel: () => void;
  /** Forgets a settled job's outcome (hides its message). */
  dismiss: () => void;
}

/** The text the model has written so far, or null before the first words. */
export function streamedText(job: PageJobData): string | null {
  const text = job.partialText ?? job.outputText;
  return text ? text : null;
}

function stageText(job: PageJobData): string {
  const verb = job.jobType === "page_text.write" ? "writing" : "revising";
  switch (job.status) {
    case "pending":
      return `Waiting for the ${job.modelLabel}…`;
    case "running":
      return streamedText(job) ? `The ${job.modelLabel} is ${verb} this page…` : `The ${job.modelLabel} is reading the story…`;
    case "succeeded":
      return "Putting the new text in place…";
    default:
      return "";
  }
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
  if (!isJobSettled(job)) {
    const quietFor = clock === null || changedAt === 0 ? 0 : clock - changedAt;
    const stalled = quietFor > JOB_STALL_MS;
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
        </div>
        {transport === "polling" ? (
          <p className="text-xs text-stone-500">Live updates were interrupted; checking for progress every few seconds.</p>
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
        <Alert tone={cancelled ? "warning" : "error"} data-testid="generate-error" data-error-code={job.errorCode ?? undefined}>
          <div className="flex items-start justify-between gap-2">
            <p>{job.errorMessage ?? "The generation failed. Your text is unchanged."}</p>
            <button
              type="button"
              aria-label="Dismiss this message"
              onClick={onDismiss}
              className="-m-1 rounded p-1 opacity-70 hover:opacity-100 focus-visible:ring-2 focus-visible:ring-emerald-600 focus-visible:outline-none"
            >
              <X aria-hidden="true" className="size-4" />
            </button>
          </div>
          <div className="mt-2">
            <Button
              data-testid="generate-retry"
              size="sm"
              pending={retrying}
              onClick={onRetry}
              icon={<RotateCcw aria-hidden="true" className="size-4" />}
            >
              {retrying ? "Starting…" : "Retry"}
            </Button>
          </div>
        </Alert>
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
          ? "The page changed while the AI was working, so nothing was overwritten: compare its text with the page below and apply or discard it."
          : `Done: the ${job.modelLabel} ${job.jobType === "page_text.write" ? "wrote" : "revised"} this page. Undo it from the notification, or bring back any version from the history.`}
      </p>
    </div>
  );
}

/**
 * The editor's AI section: an optional instruction, Generate with AI and the model's name; then the job's state.
 * Generate is disabled from the first click until the job has settled.
 */
export function GenerateControls({
  generation,
  blank,
  instruction,
  onInstructionChange,
  busy,
  starting,
  disabledReason,
  requestError,
  onGenerate,
  onDismissRequestError,
  cancelRef,
}: {
  generation: PageGeneration;
  /** The page has no text: Generate writes it; otherwise it revises it. */
  blank: boolean;
  instruction: string;
  onInstructionChange: (value: string) => void;
  /** Saving, starting or a job running: Generate is disabled. */
  busy: boolean;
  /** Saving the draft or asking the server: Generate shows a spinner. */
  starting: boolean;
  /** Why Generate cannot be pressed right now (e.g. the text is over the limit), if it cannot. */
  disabledReason: string | null;
  requestError: string | null;
  onGenerate: () => void;
  onDismissRequestError: () => void;
  cancelRef?: Ref<HTMLButtonElement>;
}) {
  const id = useId();
  const { job, modelLabel } = generation;
  const active = isJobActive(job);
  const hintId = `${id}-hint`;
  const label = modelLabel ?? "AI model";

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "Enter" && !event.nativeEvent.isComposing) {
      event.preventDefault();
      if (!busy && !disabledReason) onGenerate();
    }
  }

  return (
    <section
      aria-labelledby={`${id}-title`}
      data-testid="generate-panel"
      className="space-y-3 rounded-xl border border-violet-200 bg-violet-50/40 p-3 sm:p-4"
    >
      <h3 id={`${id}-title`} className="sr-only">
        Generate with AI
      </h3>
      <div className="space-y-1.5">
        <label htmlFor={`${id}-instruction`} className="block text-sm font-medium text-stone-800">
          {blank ? "What should this page be about?" : "How should the AI revise this page?"}
          <span className="ml-1 font-normal text-stone-500">(optional)</span>
        </label>
        <Input
          id={`${id}-instruction`}
          data-testid="generate-instruction"
          value={instruction}
          maxLength={INSTRUCTION_MAX}
          onChange={(e) => onInstructionChange(e.target.value)}
          onKeyDown={onKeyDown}
          readOnly={active || starting}
          aria-describedby={hintId}
          placeholder={blank ? "e.g. a storm reaches the harbour" : "e.g. darker, half as long, more dialogue"}
          autoComplete="off"
        />
        <p id={hintId} className="flex justify-between gap-3 text-xs text-stone-500">
          <span>
            {blank
              ? "The AI writes this page from the rest of the story."
              : "The AI rewrites this page from the rest of the story; the current text stays in the history."}
          </span>
          <span className="shrink-0 tabular-nums">
            {formatCount(instruction.length)} / {formatCount(INSTRUCTION_MAX)}
          </span>
        </p>
      </div>

      <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
        <Button
          data-testid="generate-button"
          size="sm"
          variant="secondary"
          className="border-violet-300 text-violet-900 hover:border-violet-400 hover:bg-violet-50"
          pending={starting || active}
          disabled={busy || disabledReason !== null}
          title={disabledReason ?? undefined}
          aria-describedby={`${id}-model`}
          onClick={onGenerate}
          icon={<WandSparkles aria-hidden="true" className="size-4 text-violet-600" />}
        >
          {starting ? "Starting…" : active ? "Generating…" : "Generate with AI"}
        </Button>
        <span id={`${id}-model`} className="text-xs text-stone-500">
          <span className="sr-only">Model: </span>
          <span
            data-testid="generate-model-label"
            className="rounded-full bg-white px-2 py-0.5 font-medium text-stone-600 ring-1 ring-stone-200"
          >
            {label}
          </span>
        </span>
        <AiBudgetHint refreshKey={job ? `${job.id}:${job.status}` : "none"} />
        {disabledReason && !busy ? <span className="text-xs text-stone-500">{disabledReason}</span> : null}
      </div>

      {requestError ? (
        <Alert tone="error" data-testid="generate-error">
          <div className="flex items-start justify-between gap-2">
            <p>{requestError}</p>
            <button
              type="button"
              aria-label="Dismiss this message"
              onClick={onDismissRequestError}
              className="-m-1 rounded p-1 opacity-70 hover:opacity-100 focus-visible:ring-2 focus-visible:ring-emerald-600 focus-visible:outline-none"
            >
              <X aria-hidden="true" className="size-4" />
            </button>
          </div>
          <div className="mt-2">
            <Button
              data-testid="generate-retry"
              size="sm"
              onClick={onGenerate}
              disabled={busy}
              icon={<RotateCcw aria-hidden="true" className="size-4" />}
            >
              Retry
            </Button>
          </div>
        </Alert>
      ) : job ? (
        <GenerationStatus
          job={job}
          changedAt={generation.changedAt}
          transport={generation.transport}
          cancelling={generation.cancelling}
          retrying={starting}
          onCancel={generation.cancel}
          onRetry={onGenerate}
          onDismiss={generation.dismiss}
          cancelRef={cancelRef}
        />
      ) : null}
    </section>
  );
}
