"use client";

import { Check, Sparkles, Trash2 } from "lucide-react";
import { useId, useMemo, useState } from "react";
import {
  applySuggestionAction,
  discardSuggestionAction,
  takeSuggestionParagraphsAction,
} from "@/app/actions/generation";
import { paragraphChanges } from "@/lib/text/paragraph-changes";
import { Alert } from "@/components/ui/alert";
import { Button, focusRing } from "@/components/ui/button";
import { RelativeTime } from "@/components/ui/relative-time";
import { callAction } from "@/lib/ui/call-action";
import { cn } from "@/lib/ui/cn";
import { formatCount } from "@/lib/ui/format";
import { toPageData, type PageData, type SuggestionData } from "./types";
import { WordDiffView } from "./word-diff-view";
import { suggestionReasonText } from "./suggestion-reason-text";
import { useStoryRights } from "./story-rights";

function readCurrent(
  details: Record<string, unknown> | undefined,
): Pick<PageData, "content" | "version" | "updatedAt"> | null {
  const current = details?.current as Partial<PageData> | undefined;
  if (!current || typeof current.content !== "string" || typeof current.version !== "number") return null;
  return {
    content: current.content,
    version: current.version,
    updatedAt: typeof current.updatedAt === "string" ? current.updatedAt : new Date().toISOString(),
  };
}

const textBox =
  "max-h-72 overflow-auto rounded-lg border bg-white p-3 font-serif text-[15px] leading-7 whitespace-pre-wrap break-words text-stone-800 " +
  "outline-none focus-visible:ring-2 focus-visible:ring-emerald-600 " +
  "empty:before:text-stone-500 empty:before:italic empty:before:content-['(empty_page)']";

/**
 * AI text that was not written into the page because the page changed while the job ran. The author compares it
 * with the page as it is now and decides: Apply (a new version on top of the current one) or Discard.
 */
export function SuggestionPanel({
  suggestion,
  page,
  pageNumber,
  jobRunning,
  onApplied,
  onDiscarded,
  onGone,
  onPageChanged,
}: {
  suggestion: SuggestionData;
  page: PageData;
  pageNumber: number;
  /** Another AI job is writing this page right now. */
  jobRunning: boolean;
  onApplied: (page: PageData) => void;
  onDiscarded: () => void;
  /** The suggestion was already applied or discarded elsewhere. */
  onGone: () => void;
  /** The page turned out to be newer than shown (applying found a conflict). */
  onPageChanged: (page: PageData) => void;
}) {
  const id = useId();
  const [busy, setBusy] = useState<"apply" | "discard" | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The word diff answers "what would change?" at a glance; side by side reads each text whole.
  const [view, setView] = useState<"changes" | "paragraphs" | "side-by-side">("changes");
  const { review: canReview } = useStoryRights();
  const [taking, setTaking] = useState<number | null>(null);
  const changes = useMemo(() => paragraphChanges(page.content, suggestion.content), [page.content, suggestion.content]);

  /**
   * A write that failed: a newer page is shown with `stalePage` (the comparison changes under the author's eyes, so
   * they are told why); a suggestion applied or discarded in another tab, or gone, closes the panel.
   */
  function failed(error: { code: string; message: string; details?: Record<string, unknown> }, stalePage: string) {
    if (error.code === "CONFLICT") {
      const current = readCurrent(error.details);
      if (current) {
        onPageChanged({ ...page, ...current });
        setError(stalePage);
        return;
      }
      onGone();
      return;
    }
    if (error.code === "NOT_FOUND") {
      onGone();
      return;
    }
    setError(error.message);
  }

  /** Takes one change: the page gets it as a new version; the suggestion stays for the rest (or is done). */
  async function take(index: number) {
    if (busy || taking !== null) return;
    setTaking(index);
    setError(null);
    const result = await callAction(() =>
      takeSuggestionParagraphsAction({ suggestionId: suggestion.id, baseVersion: page.version, changes: [index] }),
    );
    setTaking(null);
    if (result.ok) {
      const next = toPageData(result.data.page);
      if (result.data.suggestionApplied) onApplied(next);
      else onPageChanged(next);
      return;
    }
    failed(result.error, "The page changed just now. The changes below are recomputed from its current text.");
  }

  async function apply() {
    if (busy) return;
    setBusy("apply");
    setError(null);
    const result = await callAction(() =>
      applySuggestionAction({ suggestionId: suggestion.id, baseVersion: page.version }),
    );
    setBusy(null);
    if (result.ok) {
      onApplied(toPageData(result.data));
      return;
    }
    failed(
      result.error,
      "The page changed again just now. The comparison below shows its current text: check it and apply again if you still want the suggestion.",
    );
  }

  async function discard() {
    if (busy) return;
    setBusy("discard");
    setError(null);
    const result = await callAction(() => discardSuggestionAction({ suggestionId: suggestion.id }));
    setBusy(null);
    if (result.ok) {
      onDiscarded();
      return;
    }
    if (result.error.code === "NOT_FOUND") {
      onGone();
      return;
    }
    setError(result.error.message);
  }

  const same = suggestion.content === page.content;

  return (
    <section
      data-testid="suggestion-panel"
      data-suggestion-id={suggestion.id}
      aria-labelledby={`${id}-title`}
      className="space-y-3 rounded-xl border border-violet-200 bg-violet-50/50 p-3 text-sm sm:p-4"
    >
      <div className="flex gap-2">
        <Sparkles aria-hidden="true" className="mt-0.5 size-4 shrink-0 text-violet-600" />
        <div className="min-w-0">
          <h3 id={`${id}-title`} className="font-semibold text-violet-950">
            AI suggestion for page {pageNumber}
          </h3>
          <p className="mt-0.5 text-stone-600">
            {suggestionReasonText(suggestion.reason ?? (suggestion.parentJobId ? "background" : "page_changed"))}{" "}
            {canReview ? "Compare, then apply it or discard it. " : "The story's editors will apply or discard it. "}
            <RelativeTime date={suggestion.createdAt} className="text-stone-500" />
          </p>
        </div>
      </div>

      <fieldset className="flex gap-1">
        <legend className="sr-only">How to compare</legend>
        {(["changes", "paragraphs", "side-by-side"] as const).map((mode) => (
          <button
            key={mode}
            type="button"
            data-testid={`suggestion-view-${mode}`}
            aria-pressed={view === mode}
            onClick={() => setView(mode)}
            className={cn(
              "rounded-md px-2.5 py-1 text-xs font-medium",
              focusRing,
              view === mode ? "bg-violet-700 text-white" : "text-violet-900 hover:bg-violet-100",
            )}
          >
            {mode === "changes" ? "Changes" : mode === "paragraphs" ? "By paragraph" : "Side by side"}
          </button>
        ))}
      </fieldset>

      {view === "changes" ? (
        <WordDiffView
          before={page.content}
          after={suggestion.content}
          label={`Changes the AI suggests for page ${pageNumber}`}
          testId="suggestion-diff"
        />
      ) : null}

      {view === "paragraphs" ? (
        <ol className="space-y-2" aria-label={`Changes to page ${pageNumber}, paragraph by paragraph`}>
          {changes.map((change) => (
            <li
              key={`${change.index}-${page.version}`}
              data-testid="suggestion-paragraph"
              className="space-y-2 rounded-lg border border-violet-200 bg-white p-3"
            >
              <WordDiffView
                before={change.before}
                after={change.after}
                label={`Change ${change.index + 1} of ${changes.length}`}
                testId="suggestion-paragraph-diff"
              />
              {canReview ? (
                <Button
                  size="sm"
                  variant="secondary"
                  data-testid="suggestion-paragraph-take"
                  pending={taking === change.index}
                  disabled={busy !== null || taking !== null || jobRunning}
                  onClick={() => void take(change.index)}
                  icon={<Check aria-hidden="true" className="size-4" />}
                >
                  {change.after === ""
                    ? "Remove this paragraph"
                    : change.before === ""
                      ? "Add this paragraph"
                      : "Take this change"}
                </Button>
              ) : null}
            </li>
          ))}
        </ol>
      ) : null}

      <div hidden={view !== "side-by-side"} className="grid gap-3 md:grid-cols-2">
        <figure className="min-w-0 space-y-1">
          <figcaption className="text-xs font-medium tracking-wide text-stone-500 uppercase">
            Page now · v{page.version} · {formatCount(page.content.length)} characters
          </figcaption>
          <section
            data-testid="suggestion-current-text"
            // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard to scroll it (axe scrollable-region-focusable, WCAG 2.1.1); it is a named region
            tabIndex={0}
            aria-label={`Current text of page ${pageNumber}`}
            className={cn(textBox, "border-stone-200")}
          >
            {page.content}
          </section>
        </figure>
        <figure className="min-w-0 space-y-1">
          <figcaption className="text-xs font-medium tracking-wide text-violet-700 uppercase">
            AI suggestion · {formatCount(suggestion.content.length)} characters
          </figcaption>
          <section
            data-testid="suggestion-text"
            // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard to scroll it (axe scrollable-region-focusable, WCAG 2.1.1); it is a named region
            tabIndex={0}
            aria-label={`Text suggested by the AI for page ${pageNumber}`}
            className={cn(textBox, "border-violet-200")}
          >
            {suggestion.content}
          </section>
        </figure>
      </div>

      {error ? (
        <Alert tone="error" data-testid="suggestion-error">
          {error}
        </Alert>
      ) : null}

      {canReview ? (
        <div className="flex flex-wrap items-center gap-2">
          <Button
            data-testid="suggestion-apply"
            size="sm"
            variant="primary"
            pending={busy === "apply"}
            disabled={busy !== null || jobRunning}
            title={jobRunning ? "Wait for the running AI job to finish, or cancel it" : undefined}
            onClick={() => void apply()}
            icon={<Check aria-hidden="true" className="size-4" />}
          >
            {busy === "apply" ? "Applying…" : "Apply suggestion"}
          </Button>
          <Button
            data-testid="suggestion-discard"
            size="sm"
            variant="ghost-danger"
            pending={busy === "discard"}
            disabled={busy !== null}
            onClick={() => void discard()}
            icon={<Trash2 aria-hidden="true" className="size-4" />}
          >
            {busy === "discard" ? "Discarding…" : "Discard"}
          </Button>
          <p className="text-xs text-stone-500">
            {same
              ? "The page already has exactly this text."
              : "Applying saves it as a new version; the current text stays in the history."}
          </p>
        </div>
      ) : null}
    </section>
  );
}
