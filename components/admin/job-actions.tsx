"use client";

import { RotateCcw, Square } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { adminCancelJobAction, adminRetryJobAction } from "@/app/actions/admin";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { callAction } from "@/lib/ui/call-action";

/** Retry (a new job linked to this one, then shown) and Cancel for one job. */
export function JobActions({ jobId, canRetry, canCancel }: { jobId: string; canRetry: boolean; canCancel: boolean }) {
  const router = useRouter();
  const [pending, setPending] = useState<"retry" | "cancel" | null>(null);
  const [error, setError] = useState<{ message: string; activeJobId?: string } | null>(null);

  async function retry() {
    setPending("retry");
    setError(null);
    const result = await callAction(() => adminRetryJobAction({ jobId }));
    setPending(null);
    if (result.ok) {
      router.push(`/admin/jobs/${result.data.id}`);
      return;
    }
    const active = result.error.details?.activeJobId;
    setError({ message: result.error.message, activeJobId: typeof active === "string" ? active : undefined });
  }

  async function cancel() {
    setPending("cancel");
    setError(null);
    const result = await callAction(() => adminCancelJobAction({ jobId }));
    setPending(null);
    if (result.ok) router.refresh();
    else setError({ message: result.error.message });
  }

  if (!canRetry && !canCancel) return null;
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap gap-2">
        {canRetry ? (
          <Button
            variant="primary"
            size="sm"
            icon={<RotateCcw aria-hidden="true" className="size-4" />}
            pending={pending === "retry"}
            disabled={pending !== null}
            onClick={retry}
            data-testid="job-retry"
          >
            Retry as a new job
          </Button>
        ) : null}
        {canCancel ? (
          <Button
            variant="danger"
            size="sm"
            icon={<Square aria-hidden="true" className="size-4" />}
            pending={pending === "cancel"}
            disabled={pending !== null}
            onClick={cancel}
            data-testid="job-cancel"
          >
            Cancel job
          </Button>
        ) : null}
      </div>
      {canRetry ? (
        <p className="text-xs text-stone-500" data-testid="job-retry-hint">
          A retry runs on the page as it is now. Unless the story is yours, its result waits on the page as a suggestion
          for the author to apply or discard.
        </p>
      ) : null}
      {error ? (
        <Alert tone="error" data-testid="job-action-error">
          {error.message}{" "}
          {error.activeJobId ? (
            <a href={`/admin/jobs/${error.activeJobId}`} className="font-medium underline">
              Open the running job
            </a>
          ) : null}
        </Alert>
      ) : null}
    </div>
  );
}
