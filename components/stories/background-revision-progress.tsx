"use client";

import { CheckCheck, Trash2, X } from "lucide-react";
import type { Ref } from "react";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/ui/cn";
import { formatCount } from "@/lib/ui/format";
import { progressText, statusLabel } from "./background-revision-text";
import type { BackgroundRevisionData } from "./types";

/** After this many failed polls in a row the panel says so (and keeps trying, more slowly). */
const POLL_FAILURES_SHOWN = 3;

/**
 * A background revision's state: what it was asked, a progress bar, pages skipped or failed, Cancel while it runs,
 * and Apply all / Discard all while its suggestions wait. Focusable, so that starting a revision can move focus here.
 */
export function BackgroundRevisionProgress({
  revision,
  active,
  pollFailures,
  busy,
  onCancel,
  onApplyAll,
  onDiscardAll,
  onClose,
  ref,
}: {
  revision: BackgroundRevisionData;
  active: boolean;
  pollFailures: number;
  /** The bulk action being saved, if any: the others wait for it. */
  busy: "cancel" | "apply" | "discard" | null;
  onCancel: () => void;
  onApplyAll: () => void;
  onDiscardAll: () => void;
  onClose: () => void;
  ref: Ref<HTMLDivElement>;
}) {
  const percent = revision.total > 0 ? Math.round((revision.done / revision.total) * 100) : 0;
  return (
    <div
      ref={ref}
      tabIndex={-1}
      data-testid="background-progress"
      data-status={revision.status}
      className="space-y-2 rounded-xl border border-violet-200 bg-white p-3 outline-none focus-visible:ring-2 focus-visible:ring-violet-500"
    >
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="font-medium text-stone-900">
          {statusLabel(revision)}{" "}
          <span className="font-normal text-stone-500">
            · “{revision.instruction}”{revision.workflow === "revise_proofread" ? " · then proofread" : ""} ·{" "}
            {revision.modelLabel}
          </span>
        </p>
        {!active && revision.openSuggestions === 0 ? (
          <Button
            data-testid="background-dismiss"
            variant="ghost"
            size="icon"
            aria-label="Close the background revision"
            onClick={onClose}
            icon={<X aria-hidden="true" className="size-4" />}
          />
        ) : null}
      </div>
      <div
        role="progressbar"
        aria-label="Background revision progress"
        aria-valuemin={0}
        aria-valuemax={revision.total}
        aria-valuenow={revision.done}
        aria-valuetext={progressText(revision)}
        className="h-2 overflow-hidden rounded-full bg-violet-100"
      >
        <div className="h-full rounded-full bg-violet-600 transition-[width]" style={{ width: `${percent}%` }} />
      </div>
      <p
        role="status"
        aria-live="polite"
        data-testid="background-progress-text"
        className="text-stone-700 tabular-nums"
      >
        {progressText(revision)}
      </p>
      {pollFailures >= POLL_FAILURES_SHOWN ? (
        <p className="text-xs text-amber-700">
          We can't reach the server right now; still trying. The revision goes on regardless.
        </p>
      ) : null}
      <PageMessages testId="background-skipped" className="text-stone-600" items={revision.skipped} />
      <PageMessages testId="background-failures" className="text-red-700" items={revision.failures} />
      <PageSteps pages={revision.pages} />
      <div className="flex flex-wrap items-center gap-2">
        {active ? (
          <Button
            data-testid="background-cancel"
            size="sm"
            variant="ghost-danger"
            pending={busy === "cancel"}
            disabled={busy !== null}
            onClick={onCancel}
            icon={<X aria-hidden="true" className="size-4" />}
          >
            Cancel
          </Button>
        ) : null}
        {revision.openSuggestions > 0 ? (
          <>
            <Button
              data-testid="background-apply-all"
              size="sm"
              variant="primary"
              pending={busy === "apply"}
              disabled={busy !== null}
              onClick={onApplyAll}
              icon={<CheckCheck aria-hidden="true" className="size-4" />}
            >
              Apply all ({revision.openSuggestions})
            </Button>
            <Button
              data-testid="background-discard-all"
              size="sm"
              variant="ghost-danger"
              pending={busy === "discard"}
              disabled={busy !== null}
              onClick={onDiscardAll}
              icon={<Trash2 aria-hidden="true" className="size-4" />}
            >
              Discard all
            </Button>
            <span className="text-xs text-stone-500">Or review each page&apos;s suggestion below.</span>
          </>
        ) : null}
      </div>
    </div>
  );
}

/**
 * Revise, then proofread: what each page's two steps spent and how long each took, so the author sees what the
 * second step cost. Nothing for a one-call revision.
 */
function PageSteps({ pages }: { pages: BackgroundRevisionData["pages"] }) {
  const chained = pages.filter((p) => p.steps !== null);
  if (chained.length === 0) return null;
  return (
    <details data-testid="background-steps" className="text-xs text-stone-600">
      <summary className="cursor-pointer">Steps per page</summary>
      <ul className="mt-1 space-y-0.5">
        {chained.map((page) => (
          <li key={page.jobId} data-testid="background-page-steps">
            {page.pageNumber ? `Page ${page.pageNumber}` : "A deleted page"}:{" "}
            {page.steps!.map((step, i) => (
              <span key={step.name} data-testid="background-step" data-done={step.done}>
                {i > 0 ? ", then " : ""}
                {step.name}
                {step.sections ? ` in ${step.sections} sections` : ""}{" "}
                {step.done
                  ? `(${formatCount((step.inputTokens ?? 0) + (step.outputTokens ?? 0))} tokens${
                      step.costUsd === null ? "" : ` · $${step.costUsd.toFixed(4)}`
                    }${step.durationMs === null ? "" : ` · ${(step.durationMs / 1000).toFixed(1)} s`})`
                  : "(waiting)"}
              </span>
            ))}
          </li>
        ))}
      </ul>
    </details>
  );
}

/** One line per page the revision skipped or could not revise; nothing when there are none. */
function PageMessages({
  testId,
  className,
  items,
}: {
  testId: string;
  className: string;
  items: { pageId: string; pageNumber: number | null; message: string }[];
}) {
  if (items.length === 0) return null;
  return (
    <ul data-testid={testId} className={cn("list-inside list-disc text-xs", className)}>
      {items.map((item) => (
        <li key={item.pageId}>
          {item.pageNumber ? `Page ${item.pageNumber}` : "A deleted page"}: {item.message}
        </li>
      ))}
    </ul>
  );
}
