"use client";

import { WandSparkles } from "lucide-react";
import { useId, type KeyboardEvent, type Ref } from "react";
import { Button, focusRing } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { INSTRUCTION_MAX } from "@/lib/stories/limits";
import { cn } from "@/lib/ui/cn";
import { formatCount } from "@/lib/ui/format";
import { AiBudgetHint, budgetUsedUpReason, useAiAllowance } from "./ai-budget";
import { GenerationFailureAlert } from "./generation-failure-alert";
import { GenerationStatus } from "./generation-status";
import { InstructionPresets } from "./instruction-presets";
import { PromptPreviewButton } from "./prompt-preview";
import { isJobActive } from "./use-page-job";
import type { PageGeneration, RequestFailure } from "./use-page-generation";

/**
 * The editor's AI section: an optional instruction, Generate with AI and the model's name; then the job's state.
 * Generate is disabled from the first click until the job has settled.
 */
export function GenerateControls({
  pageId,
  generation,
  blank,
  instruction,
  onInstructionChange,
  busy,
  starting,
  disabledReason,
  requestError,
  fresh = false,
  onFreshChange,
  onGenerate,
  onDismissRequestError,
  cancelRef,
}: {
  pageId: string;
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
  requestError: RequestFailure | null;
  /** "New take": do not reuse an earlier identical result (the generation cache). */
  fresh?: boolean;
  onFreshChange?: (fresh: boolean) => void;
  onGenerate: () => void;
  onDismissRequestError: () => void;
  cancelRef?: Ref<HTMLButtonElement>;
}) {
  const id = useId();
  const { job, modelLabel } = generation;
  const active = isJobActive(job);
  const hintId = `${id}-hint`;
  const label = modelLabel ?? "AI model";
  // Asked again when a job starts or settles, and after a refusal (which may be the budget running out).
  const allowance = useAiAllowance(`${job ? `${job.id}:${job.status}` : "none"}:${requestError?.message ?? ""}`);
  const budgetReason = allowance ? budgetUsedUpReason(allowance) : null;
  const reason = disabledReason ?? budgetReason;

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "Enter" && !event.nativeEvent.isComposing) {
      event.preventDefault();
      if (!busy && !reason) onGenerate();
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
        <InstructionPresets instruction={instruction} onChoose={onInstructionChange} disabled={active || starting} />
      </div>

      <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
        <Button
          data-testid="generate-button"
          size="sm"
          variant="secondary"
          className="border-violet-300 text-violet-900 hover:border-violet-400 hover:bg-violet-50"
          pending={starting || active}
          disabled={busy || reason !== null}
          // Keeps keyboard focus on the button while it is pending or refused, instead of dropping it to the page.
          softDisabled
          aria-keyshortcuts="Control+Shift+Enter Meta+Shift+Enter"
          title={reason ?? undefined}
          aria-describedby={reason && !busy ? `${id}-model ${id}-reason` : `${id}-model`}
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
        {onFreshChange ? (
          <label
            className="inline-flex items-center gap-1.5 text-xs text-stone-700"
            title="Ask the model again rather than reuse an earlier identical result"
          >
            <input
              type="checkbox"
              data-testid="generate-fresh"
              checked={fresh}
              disabled={active || starting}
              onChange={(e) => onFreshChange(e.target.checked)}
              className={cn("size-4 rounded border-stone-300 accent-violet-700", focusRing)}
            />
            New take
          </label>
        ) : null}
        <PromptPreviewButton pageId={pageId} instruction={instruction.trim()} disabled={starting} />
        <AiBudgetHint allowance={allowance} />
        {reason && !busy ? (
          <span id={`${id}-reason`} data-testid="generate-disabled-reason" className="text-xs text-stone-600">
            {reason}
          </span>
        ) : null}
      </div>

      {requestError ? (
        <GenerationFailureAlert
          message={requestError.message}
          canRetry={requestError.canRetry}
          retryDisabled={busy}
          onRetry={onGenerate}
          onDismiss={onDismissRequestError}
        />
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
