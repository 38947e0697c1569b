"use client";

import { ArrowDown, ArrowUp, History, ListPlus, Pencil, Trash2, WandSparkles } from "lucide-react";
import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import { cancelPageJobAction, requestPageTextAction, undoPageJobAction } from "@/app/actions/generation";
import { Button } from "@/components/ui/button";
import { RelativeTime } from "@/components/ui/relative-time";
import { Spinner } from "@/components/ui/spinner";
import { useToast } from "@/components/ui/toast";
import type { ActionResult } from "@/lib/action-result";
import { callAction, fieldErrors } from "@/lib/ui/call-action";
import { cn } from "@/lib/ui/cn";
import { formatCount } from "@/lib/ui/format";
import { GenerationStatus, streamedText, type PageGeneration } from "./generate-controls";
import { HistoryPanel } from "./history-panel";
import { PageEditor } from "./page-editor";
import { SuggestionPanel } from "./suggestion-panel";
import { toPageData, type PageData, type PageJobData, type SuggestionData } from "./types";
import { isJobActive, isJobSettled, usePageJob } from "./use-page-job";

/** How long a generation request or a cancel may take before the author is told to try again. */
const ACTION_TIMEOUT_MS = 30_000;

/** An action answer, or a "no answer" error after `ms`: a hung request must not leave a spinner forever. */
function withTimeout<T>(run: () => Promise<ActionResult<T>>, ms = ACTION_TIMEOUT_MS): Promise<ActionResult<T>> {
  return new Promise((resolve) => {
    const timer = window.setTimeout(
      () =>
        resolve({
          ok: false,
          error: {
            code: "INTERNAL",
            message: "The server did not answer in time. Please try again — if the AI did start, the page will show it.",
          },
        }),
      ms,
    );
    void callAction(run).then((result) => {
      window.clearTimeout(timer);
      resolve(result);
    });
  });
}

export interface PageCardProps {
  page: PageData;
  index: number;
  total: number;
  /** Another page operation (move, add, delete) is running in the list. */
  listBusy: boolean;
  /** A move of this page is being saved. */
  savingOrder: boolean;
  adding: boolean;
  deleting: boolean;
  /** The page's running AI job as the server last reported it (after a reload, or in a second tab). */
  activeJob: PageJobData | null;
  /** Open AI suggestions for this page, newest first. */
  suggestions: SuggestionData[];
  /** The configured model's label ("offline model"); null when the model is misconfigured. */
  modelLabel: string | null;
  /** Ticked for a background revision. */
  selected: boolean;
  onSelectedChange: (selected: boolean) => void;
  onSuggestionAdded: (suggestion: SuggestionData) => void;
  onSuggestionResolved: (suggestionId: string) => void;
  onChanged: (page: PageData) => void;
  onMove: (direction: "up" | "down") => void;
  onAddAfter: () => void;
  onDelete: () => void;
}

export function PageCard({
  page,
  index,
  total,
  listBusy,
  savingOrder,
  adding,
  deleting,
  activeJob,
  suggestions,
  modelLabel,
  selected,
  onSelectedChange,
  onSuggestionAdded,
  onSuggestionResolved,
  onChanged,
  onMove,
  onAddAfter,
  onDelete,
}: PageCardProps) {
  const pageNumber = index + 1;
  const toast = useToast();
  const [editing, setEditing] = useState(false);
  const [historyOpen, setHistoryOpen] = useState(false);
  const [justSaved, setJustSaved] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [retrying, setRetrying] = useState(false);
  const [announcement, setAnnouncement] = useState("");
  const cardRef = useRef<HTMLLIElement>(null);
  const contentRef = useRef<HTMLDivElement>(null);
  const focusContentAfterEdit = useRef(false);
  const textId = `page-${page.id}-text`;

  // Callbacks below run after renders (stream events, action answers): they read the latest page through this.
  const latest = useRef({ page, pageNumber });
  useEffect(() => {
    latest.current = { page, pageNumber };
  });
  /** Jobs whose outcome was already handled here: a late server list must not bring them back. */
  const settledJobs = useRef(new Set<string>());

  const tracker = usePageJob({ initial: activeJob, onSettled: landed });
  const job = tracker.job;
  const generating = isJobActive(job);

  // The server reports a job we are not following yet (a refresh after another tab started one): follow it.
  useEffect(() => {
    if (!activeJob || settledJobs.current.has(activeJob.id)) return;
    if (tracker.job?.id === activeJob.id || isJobActive(tracker.job)) return;
    tracker.accept(activeJob);
    // Only the server's report matters here; the tracker is stable.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [activeJob]);

  /** A job's outcome is known: put the new text in place, keep a suggestion, or leave the page as it was. */
  function landed(settled: PageJobData) {
    settledJobs.current.add(settled.id);
    setCancelling(false);
    const { page: current, pageNumber: number } = latest.current;
    if (settled.status !== "succeeded") {
      setAnnouncement("");
      return; // The failure is shown (and announced) by the status block, with Retry; the text never changed.
    }
    if (settled.page) {
      onChanged({ ...current, content: settled.page.content, version: settled.page.version, updatedAt: settled.page.updatedAt });
    }
    if (settled.resolution === "applied") {
      setAnnouncement("");
      toast.show({
        tone: "success",
        message: `The ${settled.modelLabel} ${settled.jobType === "page_text.write" ? "wrote" : "revised"} page ${number}.`,
        action: { label: "Undo", testId: "toast-undo-ai", onClick: () => void undo(settled.id) },
      });
      return;
    }
    if (settled.suggestionId && settled.outputText !== null) {
      onSuggestionAdded({
        id: settled.suggestionId,
        pageId: current.id,
        jobId: settled.id,
        content: settled.outputText,
        baseVersion: settled.baseVersion ?? current.version,
        createdAt: settled.completedAt ?? new Date().toISOString(),
        parentJobId: settled.parentJobId ?? null,
      });
    }
    if (settled.parentJobId) {
      // One page of a background revision: its result always waits as a suggestion; the revision panel reports it.
      setAnnouncement(`The background revision's text for page ${number} is waiting as a suggestion.`);
      return;
    }
    setAnnouncement("");
    toast.show({
      tone: "info",
      message: `Page ${number} changed while the AI was working, so nothing was overwritten: the AI text is waiting as a suggestion on the page.`,
    });
  }

  async function undo(jobId: string) {
    const result = await callAction(() => undoPageJobAction({ jobId }));
    const number = latest.current.pageNumber;
    if (!result.ok) {
      toast.error(
        result.error.code === "CONFLICT"
          ? `Page ${number} was edited after the AI wrote it, so Undo would overwrite that edit. Open its history to bring back any earlier version.`
          : result.error.message,
      );
      return;
    }
    onChanged(toPageData(result.data));
    toast.success(`Page ${number} is back to its text from before the AI.`);
  }

  async function request(instruction: string): Promise<string | null> {
    const result = await withTimeout(() => requestPageTextAction({ pageId: page.id, instruction }));
    if (!result.ok) return fieldErrors(result.error.details).instruction ?? result.error.message;
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
    const result = await withTimeout(() => cancelPageJobAction({ jobId: current.id }));
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
    if (failure) toast.error(failure);
  }

  /** A suggestion was resolved: its panel is gone, so keyboard focus goes back to the page's text. */
  function suggestionResolved(suggestionId: string) {
    onSuggestionResolved(suggestionId);
    requestAnimationFrame(() => {
      if (document.activeElement && document.activeElement !== document.body) return;
      const target =
        contentRef.current ?? cardRef.current?.querySelector<HTMLElement>('[data-testid="page-editor"]') ?? cardRef.current;
      target?.focus();
    });
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
  const streamed = job && generating ? streamedText(job) : null;

  useEffect(() => {
    if (!editing && focusContentAfterEdit.current) {
      focusContentAfterEdit.current = false;
      // While the AI works the page shows its progress instead of the text: focus its Cancel.
      (contentRef.current ?? cardRef.current?.querySelector<HTMLElement>('[data-testid="generate-cancel"]'))?.focus();
    }
  }, [editing]);

  // A job that ends while the page is not being edited removes its progress block: if keyboard focus was in it
  // (on Cancel), it moves to the page's text instead of getting lost.
  const focusInProgress = useRef(false);
  const wasGenerating = useRef(generating);
  useEffect(() => {
    const before = wasGenerating.current;
    wasGenerating.current = generating;
    if (!before || generating || editing || !focusInProgress.current) return;
    focusInProgress.current = false;
    const focused = document.activeElement;
    if (!focused || focused === document.body) contentRef.current?.focus();
  }, [generating, editing]);

  useEffect(() => {
    if (!justSaved) return;
    const timer = window.setTimeout(() => setJustSaved(false), 2500);
    return () => window.clearTimeout(timer);
  }, [justSaved]);

  function openEditor() {
    setJustSaved(false);
    setEditing(true);
  }

  function onContentKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.target !== event.currentTarget) return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      openEditor();
    }
  }

  return (
    <li
      ref={cardRef}
      data-testid="page-card"
      data-page-id={page.id}
      data-version={page.version}
      data-editing={editing || undefined}
      data-generating={generating || undefined}
      aria-label={`Page ${pageNumber}`}
      className={cn(
        "group/page relative rounded-2xl border bg-white shadow-sm transition-shadow",
        editing ? "border-emerald-300 ring-4 ring-emerald-100" : "border-stone-200 hover:shadow-md",
        deleting && "opacity-60",
      )}
    >
      <div className="flex flex-wrap items-center justify-between gap-2 border-b border-stone-100 px-4 py-2 sm:px-5">
        <div className="flex min-w-0 items-center gap-2 text-xs text-stone-500">
          <input
            type="checkbox"
            data-testid="page-select"
            className="size-4 accent-violet-600 disabled:opacity-40"
            aria-label={`Select page ${pageNumber} for a background revision`}
            title={page.content.trim() === "" ? "A blank page cannot be revised" : "Select for a background revision"}
            checked={selected && page.content.trim() !== ""}
            disabled={page.content.trim() === ""}
            onChange={(e) => onSelectedChange(e.target.checked)}
          />
          <span className="font-semibold tracking-wide text-stone-700 uppercase">Page {pageNumber}</span>
          <span aria-hidden="true">·</span>
          <span title={`Version ${page.version}`}>v{page.version}</span>
          <span aria-hidden="true" className="hidden sm:inline">
            ·
          </span>
          <RelativeTime date={page.updatedAt} prefix="Edited" className="hidden sm:inline" />
          {savingOrder ? (
            <span role="status" className="inline-flex items-center gap-1 text-stone-500">
              <Spinner className="size-3" />
              Saving order…
            </span>
          ) : null}
          {generating ? (
            <span className="inline-flex items-center gap-1 rounded-full bg-violet-50 px-2 py-0.5 font-medium text-violet-700">
              <WandSparkles aria-hidden="true" className="size-3" />
              AI at work
            </span>
          ) : null}
          {justSaved ? (
            <span role="status" className="rounded-full bg-emerald-50 px-2 py-0.5 font-medium text-emerald-700">
              Saved
            </span>
          ) : null}
        </div>
        <div role="group" aria-label={`Page ${pageNumber} actions`} className="flex items-center gap-0.5">
          <Button
            data-testid="page-history"
            variant="ghost"
            size="icon"
            aria-label={`History of page ${pageNumber}`}
            title="History"
            onClick={() => setHistoryOpen(true)}
            icon={<History aria-hidden="true" className="size-4" />}
          />
          <Button
            data-testid="page-move-up"
            variant="ghost"
            size="icon"
            aria-label={`Move page ${pageNumber} up`}
            title="Move up"
            softDisabled
            disabled={index === 0}
            onClick={() => onMove("up")}
            icon={<ArrowUp aria-hidden="true" className="size-4" />}
          />
          <Button
            data-testid="page-move-down"
            variant="ghost"
            size="icon"
            aria-label={`Move page ${pageNumber} down`}
            title="Move down"
            softDisabled
            disabled={index === total - 1}
            onClick={() => onMove("down")}
            icon={<ArrowDown aria-hidden="true" className="size-4" />}
          />
          <Button
            data-testid="page-add-after"
            variant="ghost"
            size="icon"
            aria-label={`Add a page after page ${pageNumber}`}
            title="Add a page after this one"
            softDisabled
            disabled={listBusy}
            pending={adding}
            onClick={onAddAfter}
            icon={<ListPlus aria-hidden="true" className="size-4" />}
          />
          <Button
            data-testid="page-delete"
            variant="ghost-danger"
            size="icon"
            aria-label={`Delete page ${pageNumber}`}
            title={editing ? "Finish editing first" : generating ? "Wait for the AI to finish, or cancel it" : "Delete"}
            disabled={editing || deleting || generating}
            pending={deleting}
            onClick={onDelete}
            icon={<Trash2 aria-hidden="true" className="size-4" />}
          />
        </div>
      </div>

      <div className="px-4 py-4 sm:px-5">
        {editing ? (
          <PageEditor
            page={page}
            pageNumber={pageNumber}
            generation={generation}
            onSaved={(next) => {
              onChanged(next);
              setJustSaved(true);
            }}
            onClose={() => {
              focusContentAfterEdit.current = true;
              setEditing(false);
              // The author has seen the outcome in the editor; a running job stays visible on the page.
              if (job && isJobSettled(job)) tracker.clear();
            }}
          />
        ) : job && generating ? (
          <div
            data-testid="page-generating"
            aria-busy="true"
            className="space-y-3"
            onFocus={() => {
              focusInProgress.current = true;
            }}
            onBlur={(event) => {
              if (!event.currentTarget.contains(event.relatedTarget as Node | null)) focusInProgress.current = false;
            }}
          >
            <GenerationStatus
              job={job}
              changedAt={tracker.changedAt}
              transport={tracker.transport}
              cancelling={cancelling}
              onCancel={() => void cancel()}
              onRetry={() => void retry()}
              onDismiss={tracker.clear}
              className="rounded-lg bg-violet-50/60 px-3 py-2"
            />
            <div
              data-testid="page-streaming"
              aria-label={`Text of page ${pageNumber} as the AI writes it`}
              className={cn(
                "min-h-16 rounded-lg px-3 py-2 -mx-3 font-serif text-[15px] leading-7 whitespace-pre-wrap break-words",
                streamed ? "text-stone-800" : "text-stone-400",
                "empty:before:text-stone-400 empty:before:italic empty:before:content-['The_AI_is_about_to_write…']",
              )}
            >
              {streamed ?? page.content}
            </div>
          </div>
        ) : (
          <>
            {job && (job.status === "failed" || job.status === "cancelled") ? (
              <GenerationStatus
                job={job}
                changedAt={tracker.changedAt}
                transport={tracker.transport}
                cancelling={false}
                retrying={retrying}
                onCancel={() => {}}
                onRetry={() => void retry()}
                onDismiss={tracker.clear}
                className="mb-3"
              />
            ) : null}
            <div className="relative">
              <div
                ref={contentRef}
                id={textId}
                data-testid="page-content"
                role="button"
                tabIndex={0}
                aria-label={page.content ? `Edit page ${pageNumber}` : `Edit page ${pageNumber} (empty)`}
                aria-describedby={page.content ? textId : undefined}
                onClick={openEditor}
                onKeyDown={onContentKeyDown}
                className={cn(
                  "min-h-16 cursor-text rounded-lg px-3 py-2 -mx-3 sm:pr-8 font-serif text-[15px] leading-7 whitespace-pre-wrap break-words text-stone-800",
                  "transition-colors hover:bg-stone-50 outline-none focus-visible:ring-2 focus-visible:ring-emerald-600",
                  "empty:before:text-stone-400 empty:before:italic empty:before:content-['Empty_page_—_click_or_press_Enter_to_write']",
                )}
              >
                {page.content}
              </div>
              <Pencil
                aria-hidden="true"
                className="pointer-events-none absolute top-3 right-0 hidden size-4 text-stone-300 opacity-0 transition-opacity group-hover/page:opacity-100 sm:block"
              />
              {page.content ? (
                <p className="mt-2 text-right text-[11px] text-stone-400 tabular-nums">
                  {formatCount(page.content.length)} characters
                </p>
              ) : null}
            </div>
          </>
        )}
      </div>

      {suggestions.length > 0 ? (
        <div className="space-y-3 border-t border-stone-100 px-4 py-4 sm:px-5">
          {suggestions.map((suggestion) => (
            <SuggestionPanel
              key={suggestion.id}
              suggestion={suggestion}
              page={page}
              pageNumber={pageNumber}
              jobRunning={generating}
              onApplied={(next) => {
                suggestionResolved(suggestion.id);
                onChanged(next);
                toast.show({
                  tone: "success",
                  message: `Applied the AI suggestion to page ${pageNumber}.`,
                  action: { label: "Undo", testId: "toast-undo-ai", onClick: () => void undo(suggestion.jobId) },
                });
              }}
              onDiscarded={() => {
                suggestionResolved(suggestion.id);
                toast.show({ tone: "info", message: `Discarded the AI suggestion for page ${pageNumber}.` });
              }}
              onGone={() => suggestionResolved(suggestion.id)}
              onPageChanged={onChanged}
            />
          ))}
        </div>
      ) : null}

      <p role="status" aria-live="polite" className="sr-only">
        {announcement}
      </p>

      {historyOpen ? (
        <HistoryPanel
          page={page}
          pageNumber={pageNumber}
          onRestored={onChanged}
          onClose={() => setHistoryOpen(false)}
        />
      ) : null}
    </li>
  );
}
