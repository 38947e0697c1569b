"use client";

import { ChevronDown, ChevronRight, PinOff, Pencil } from "lucide-react";
import { useEffect, useId, useRef, useState } from "react";
import { getPageSummaryAction, pinPageSummaryAction, unpinPageSummaryAction } from "@/app/actions/summaries";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { limits } from "@/lib/stories/limits";
import { NOT_REFRESHED_MESSAGES } from "@/lib/stories/summaries/messages";
import { callAction, fieldErrors } from "@/lib/ui/call-action";
import { cn } from "@/lib/ui/cn";
import type { PageSummaryData } from "./types";
import { useStoryRights } from "./story-rights";

/** While a summary is due or being written, the open panel asks again this often. */
const POLL_MS = 2000;
/**
 * A due summary with no job yet (its edit's debounce has not fired, or the payer's budget is used up) is looked for
 * this many times, then left to the next opening: an open panel must not poll forever for a summary that waits.
 */
const IDLE_POLLS = 60;

/** Still waiting for the server to catch up: a newer summary is due (stale, running, or none yet for a page with text). */
function awaitingSummary(view: PageSummaryData | null, hasText: boolean): boolean {
  if (!view) return false;
  // A summary that waits for budget comes in minutes at the earliest: the panel does not poll for it.
  if (view.notRefreshedReason !== null) return false;
  return view.job !== null || view.stale || (view.text === null && hasText);
}

/**
 * A page's summary in the story's memory, collapsed by default: the summary, its badges (pinned, stale, updating…),
 * Edit (the author's own text, pinned when saved) and Clear pin. It loads when opened and follows a summary that is
 * due until it arrives. Nothing typed is lost: a failed save keeps the text in the editor.
 */
export function PageSummary({
  pageId,
  pageNumber,
  pageVersion,
  hasText,
}: {
  pageId: string;
  pageNumber: number;
  /** The page's version: a newer one (an edit) makes an open panel look again. */
  pageVersion: number;
  hasText: boolean;
}) {
  const id = useId();
  const { edit: canEdit } = useStoryRights();
  const [open, setOpen] = useState(false);
  const [view, setView] = useState<PageSummaryData | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState("");
  const [saving, setSaving] = useState<"pin" | "unpin" | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const textareaRef = useRef<HTMLTextAreaElement>(null);

  // Loads when opened and whenever the page changes; then follows a summary that is due until it has arrived.
  const awaiting = awaitingSummary(view, hasText);
  // biome-ignore lint/correctness/useExhaustiveDependencies: pageVersion (an edit) and awaiting (a save or a clear changed what is due) are triggers to load again, not values the effect reads
  useEffect(() => {
    if (!open) return;
    let stopped = false;
    let timer: number | undefined;
    let failures = 0;
    let idle = 0;
    const load = async () => {
      const result = await callAction(() => getPageSummaryAction({ pageId }));
      if (stopped) return;
      if (!result.ok) {
        failures += 1;
        setLoadError(result.error.message);
        timer = window.setTimeout(load, POLL_MS * Math.min(10, 2 ** failures));
        return;
      }
      failures = 0;
      setLoadError(null);
      setView(result.data);
      idle = result.data.job ? 0 : idle + 1;
      if (awaitingSummary(result.data, hasText) && idle <= IDLE_POLLS) timer = window.setTimeout(load, POLL_MS);
    };
    void load();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [open, pageId, pageVersion, hasText, awaiting]);

  useEffect(() => {
    if (editing) textareaRef.current?.focus();
  }, [editing]);

  function startEditing() {
    setDraft(view?.text ?? "");
    setSaveError(null);
    setEditing(true);
  }

  async function save() {
    setSaving("pin");
    setSaveError(null);
    const result = await callAction(() => pinPageSummaryAction({ pageId, text: draft }));
    setSaving(null);
    if (!result.ok) {
      // The draft stays in the textarea: the author fixes it or tries again.
      setSaveError(fieldErrors(result.error.details).text ?? result.error.message);
      return;
    }
    setView(result.data);
    setEditing(false);
  }

  async function clearPin() {
    setSaving("unpin");
    setSaveError(null);
    const result = await callAction(() => unpinPageSummaryAction({ pageId }));
    setSaving(null);
    if (!result.ok) {
      setSaveError(result.error.message);
      return;
    }
    setView(result.data);
  }

  const panelId = `${id}-summary`;
  const tooLong = draft.trim().length > limits.summaryMax;
  return (
    <div data-testid="page-summary" className="border-t border-stone-100 px-4 py-2 sm:px-5">
      <div className="flex flex-wrap items-center gap-2">
        <Button
          data-testid="summary-toggle"
          variant="ghost"
          size="sm"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => setOpen((o) => !o)}
          icon={
            open ? (
              <ChevronDown aria-hidden="true" className="size-4" />
            ) : (
              <ChevronRight aria-hidden="true" className="size-4" />
            )
          }
        >
          Summary
        </Button>
        {open && view ? <SummaryBadges view={view} /> : null}
      </div>
      {open ? (
        <div id={panelId} className="space-y-2 pb-2 pl-2 text-sm">
          {loadError && !view ? (
            <p className="text-amber-700" data-testid="summary-load-error">
              {loadError} Still trying.
            </p>
          ) : null}
          {!view && !loadError ? <p className="text-stone-500">Loading the summary…</p> : null}
          {view && !editing ? (
            view.text !== null ? (
              <p data-testid="summary-text" className="whitespace-pre-wrap text-stone-700">
                {view.text}
              </p>
            ) : (
              <p data-testid="summary-empty" className="text-stone-500">
                {hasText
                  ? "No summary yet: it is written in the background a little after the page is edited."
                  : "A blank page has no summary."}
              </p>
            )
          ) : null}
          {editing ? (
            <div className="space-y-1.5">
              <label htmlFor={`${id}-input`} className="block font-medium text-stone-800">
                Your summary of page {pageNumber}
              </label>
              <textarea
                ref={textareaRef}
                id={`${id}-input`}
                data-testid="summary-input"
                value={draft}
                onChange={(e) => setDraft(e.target.value)}
                rows={3}
                aria-invalid={saveError !== null || tooLong || undefined}
                aria-describedby={`${id}-hint`}
                className={cn(
                  "w-full rounded-lg border px-3 py-2 text-sm text-stone-900 shadow-sm outline-none focus-visible:ring-2 focus-visible:ring-emerald-600",
                  tooLong || saveError ? "border-red-400" : "border-stone-300",
                )}
              />
              <p id={`${id}-hint`} className={cn("text-xs", tooLong ? "text-red-700" : "text-stone-500")}>
                {draft.trim().length.toLocaleString("en-US")} / {limits.summaryMax.toLocaleString("en-US")} characters.
                Saving pins it: the AI will not replace it until you clear the pin.
              </p>
            </div>
          ) : null}
          {saveError ? (
            <Alert data-testid="summary-error" tone="error">
              {saveError}
            </Alert>
          ) : null}
          {view && canEdit ? (
            <div className="flex flex-wrap items-center gap-2">
              {editing ? (
                <>
                  <Button
                    data-testid="summary-save"
                    size="sm"
                    variant="primary"
                    pending={saving === "pin"}
                    disabled={saving !== null}
                    onClick={save}
                  >
                    Save and pin
                  </Button>
                  <Button
                    data-testid="summary-cancel"
                    size="sm"
                    variant="ghost"
                    disabled={saving !== null}
                    onClick={() => {
                      setEditing(false);
                      setSaveError(null);
                    }}
                  >
                    Cancel
                  </Button>
                </>
              ) : (
                <Button
                  data-testid="summary-edit"
                  size="sm"
                  variant="secondary"
                  disabled={saving !== null}
                  onClick={startEditing}
                  icon={<Pencil aria-hidden="true" className="size-4" />}
                >
                  Edit
                </Button>
              )}
              {view.pinned && !editing ? (
                <Button
                  data-testid="summary-unpin"
                  size="sm"
                  variant="ghost"
                  pending={saving === "unpin"}
                  disabled={saving !== null}
                  onClick={clearPin}
                  icon={<PinOff aria-hidden="true" className="size-4" />}
                >
                  Clear pin
                </Button>
              ) : null}
            </div>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

function SummaryBadges({ view }: { view: PageSummaryData }) {
  const badge = "rounded-full px-2 py-0.5 text-xs font-medium";
  return (
    <span className="flex flex-wrap gap-1.5" data-testid="summary-badges">
      {view.pinned ? (
        <span data-testid="summary-badge-pinned" className={cn(badge, "bg-sky-100 text-sky-800")}>
          pinned
        </span>
      ) : null}
      {view.job ? (
        <span data-testid="summary-badge-updating" className={cn(badge, "bg-violet-100 text-violet-800")}>
          updating…
        </span>
      ) : view.stale ? (
        <span data-testid="summary-badge-stale" className={cn(badge, "bg-amber-100 text-amber-800")}>
          stale
        </span>
      ) : null}
      {view.notRefreshedReason && !view.job ? (
        <span data-testid="summary-not-refreshed" className="text-xs text-amber-800">
          {NOT_REFRESHED_MESSAGES[view.notRefreshedReason]}
        </span>
      ) : null}
    </span>
  );
}
