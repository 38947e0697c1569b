"use client";

import { ScanEye } from "lucide-react";
import { useEffect, useState } from "react";
import { checkPageTextRequestAction } from "@/app/actions/generation";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Spinner } from "@/components/ui/spinner";
import type { PageTextCheck } from "@/lib/stories";
import { callAction } from "@/lib/ui/call-action";
import { ContextBreakdownView } from "./context-breakdown";

function formatCost(usd: number | null): string | null {
  if (usd === null) return null;
  return usd !== 0 && usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

/**
 * "Preview prompt" beside Generate: before anything runs, what would be sent for this page — each part with its
 * tokens and why it is there, the total against the budget and the estimated cost. Built from the saved page and the
 * instruction as typed; it creates nothing.
 */
export function PromptPreviewButton({
  pageId,
  instruction,
  disabled,
}: {
  pageId: string;
  instruction: string;
  disabled?: boolean;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button
        data-testid="prompt-preview-button"
        size="sm"
        variant="ghost"
        disabled={disabled}
        onClick={() => setOpen(true)}
        icon={<ScanEye aria-hidden="true" className="size-4" />}
      >
        Preview prompt
      </Button>
      {open ? <PromptPreviewDialog pageId={pageId} instruction={instruction} onClose={() => setOpen(false)} /> : null}
    </>
  );
}

type State = { status: "loading" } | { status: "error"; message: string } | { status: "ready"; check: PageTextCheck };

function PromptPreviewDialog({
  pageId,
  instruction,
  onClose,
}: {
  pageId: string;
  instruction: string;
  onClose: () => void;
}) {
  const [state, setState] = useState<State>({ status: "loading" });
  useEffect(() => {
    let live = true;
    void callAction(() => checkPageTextRequestAction({ pageId, instruction })).then((result) => {
      if (!live) return;
      setState(
        result.ok ? { status: "ready", check: result.data } : { status: "error", message: result.error.message },
      );
    });
    return () => {
      live = false;
    };
  }, [pageId, instruction]);

  return (
    <Dialog
      testId="prompt-preview-dialog"
      closeTestId="prompt-preview-close"
      title="Prompt preview"
      description="What Generate would send to the AI for this page, from the saved text. Nothing runs."
      variant="sheet"
      onClose={onClose}
    >
      <div className="px-5 py-4" aria-live="polite" aria-busy={state.status === "loading"}>
        {state.status === "loading" ? (
          <p className="flex items-center gap-2 text-sm text-stone-600" data-testid="prompt-preview-loading">
            <Spinner /> Building the prompt…
          </p>
        ) : state.status === "error" ? (
          <p
            role="alert"
            data-testid="prompt-preview-error"
            className="rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800"
          >
            {state.message}
          </p>
        ) : (
          <div className="space-y-2">
            <p className="text-xs text-stone-500" data-testid="prompt-preview-model">
              {state.check.mode === "write" ? "Writes" : "Revises"} page with {state.check.model}
              {state.check.wouldJoinJobId ? " · a job is already running on this page: Generate would join it" : ""}
            </p>
            <ContextBreakdownView breakdown={state.check.context} costUsd={formatCost(state.check.estimatedCostUsd)} />
          </div>
        )}
      </div>
      <div className="flex justify-end border-t border-stone-100 px-5 py-3">
        <Button data-autofocus onClick={onClose}>
          Close
        </Button>
      </div>
    </Dialog>
  );
}
