"use client";

import { RotateCcw, X } from "lucide-react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";

/**
 * Why a generation did not happen, with Retry and a dismiss button. Used both for a job that failed or was cancelled
 * and for a request the server refused before any job started, so the author meets one shape for "it didn't work".
 */
export function GenerationFailureAlert({
  message,
  tone = "error",
  errorCode,
  retrying = false,
  retryDisabled = false,
  canRetry = true,
  onRetry,
  onDismiss,
}: {
  message: string;
  /** A cancellation is the author's choice, not an error: it is shown as a warning. */
  tone?: "error" | "warning";
  /** The job's error code, exposed as `data-error-code` for diagnosis. */
  errorCode?: string;
  /** A retry is being started: the button shows it. */
  retrying?: boolean;
  retryDisabled?: boolean;
  /** False when pressing again cannot help (the budget is used up, the input is refused): no Retry is offered. */
  canRetry?: boolean;
  onRetry: () => void;
  onDismiss: () => void;
}) {
  return (
    <Alert tone={tone} data-testid="generate-error" data-error-code={errorCode}>
      <div className="flex items-start justify-between gap-2">
        <p>{message}</p>
        <button
          type="button"
          aria-label="Dismiss this message"
          onClick={onDismiss}
          className="-m-1 rounded p-1 opacity-70 hover:opacity-100 focus-visible:ring-2 focus-visible:ring-emerald-600 focus-visible:outline-none"
        >
          <X aria-hidden="true" className="size-4" />
        </button>
      </div>
      {canRetry ? (
        <div className="mt-2">
          <Button
            data-testid="generate-retry"
            size="sm"
            pending={retrying}
            disabled={retryDisabled}
            onClick={onRetry}
            icon={<RotateCcw aria-hidden="true" className="size-4" />}
          >
            {retrying ? "Starting…" : "Retry"}
          </Button>
        </div>
      ) : null}
    </Alert>
  );
}
