"use client";

import { TriangleAlert } from "lucide-react";
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { savePageAction } from "@/app/actions/stories";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Textarea } from "@/components/ui/input";
import { RelativeTime } from "@/components/ui/relative-time";
import { limits } from "@/lib/stories/limits";
import { callAction } from "@/lib/ui/call-action";
import { cn } from "@/lib/ui/cn";
import { countWords, formatCount, pluralize } from "@/lib/ui/format";
import { clearPageDraft, type KeptPageDraft, newPageDraftKey, writePageDraft } from "@/lib/ui/page-drafts";
import { GenerateControls } from "./generate-controls";
import { TakesPanel } from "./takes-panel";
import { streamedText } from "./generation-status";
import { toPageData, type PageData } from "./types";
import { isJobActive } from "./use-page-job";
import type { PageGeneration, RequestFailure } from "./use-page-generation";

/** Typing pauses this long before the text is kept in the browser (a write per keystroke would be wasted work). */
const DRAFT_KEEP_DELAY_MS = 300;

/** Why a save is refused while the AI writes the page (the author's text stays in the editor). */
export const AI_BUSY_SAVE_MESSAGE =
  "Not saved: the AI is writing this page right now. Your text is kept here and comes back when the AI is done; save it then (you will be shown both versions), or cancel the generation.";

interface TheirVersion {
  content: string;
  version: number;
  updatedAt: string;
}

function readConflict(details: Record<string, unknown> | undefined): TheirVersion | null {
  const current = details?.current as Partial<TheirVersion> | undefined;
  if (!current || typeof current.content !== "string" || typeof current.version !== "number") return null;
  return {
    content: current.content,
    version: current.version,
    updatedAt: typeof current.updatedAt === "string" ? current.updatedAt : new Date().toISOString(),
  };
}

/**
 * Edits one page. The editor remembers the version it started from and saves against it, so a change made
 * elsewhere meanwhile is never overwritten silently: the author sees the newer text and decides.
 * On any failure the textarea keeps exactly what the author typed.
 *
 * Generate with AI saves unsaved text first (against the same version), then starts the job. While it runs the
 * textarea is read-only and shows the text as the model writes it; the draft itself is left untouched, so a failed
 * or cancelled job leaves exactly the author's text in place. A successful job arrives as a newer page version.
 */
export function PageEditor({
  page,
  pageNumber,
  generation,
  onSaved,
  onClose,
  restoredDraft,
  onDraftChange,
}: {
  page: PageData;
  pageNumber: number;
  generation: PageGeneration;
  /** Unsaved text kept from an earlier visit, restored by the author: edited and saved against its own version. */
  restoredDraft?: KeptPageDraft;
  /** A newer state of the page: after a save, or when the author took the other version. */
  onSaved: (page: PageData) => void;
  onClose: () => void;
  /** The text as it is being typed (the mention chips follow it). */
  onDraftChange?: (draft: string) => void;
}) {
  const [draft, setDraft] = useState(restoredDraft?.content ?? page.content);
  useEffect(() => {
    onDraftChange?.(draft);
  }, [draft, onDraftChange]);
  const [baseVersion, setBaseVersion] = useState(restoredDraft?.baseVersion ?? page.version);
  const [draftKey] = useState(() => restoredDraft?.key ?? newPageDraftKey(page.id));
  const [saving, setSaving] = useState<"save" | "keep-mine" | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The server refused the save because the AI is writing the page (a job this tab did not hear of): the author may
  // save anyway, and the AI's text then waits as a suggestion.
  const [aiWritingRefusal, setAiWritingRefusal] = useState(false);
  const [conflict, setConflict] = useState<TheirVersion | null>(null);
  const [instruction, setInstruction] = useState(() => generation.job?.instruction ?? "");
  const [fresh, setFresh] = useState(false);
  const [starting, setStarting] = useState(false);
  const [requestError, setRequestError] = useState<RequestFailure | null>(null);
  const startingRef = useRef(false);
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const id = useId();
  const statusId = `${id}-status`;

  const job = generation.job;
  const generating = isJobActive(job);
  // While the model writes, the textarea shows its words (or the current text until the first ones arrive).
  const shown = job && generating ? (streamedText(job) ?? draft) : draft;

  // A newer version of the page arrived (the AI wrote it, an undo, a refresh): take it if the author has no
  // unsaved changes; otherwise keep their text, and saving will show the conflict as usual.
  const [seenPage, setSeenPage] = useState(page);
  if (seenPage !== page) {
    setSeenPage(page);
    if (
      page.version !== seenPage.version &&
      conflict === null &&
      (draft === seenPage.content || draft === page.content)
    ) {
      setDraft(page.content);
      setBaseVersion(page.version);
    }
  }

  // Keyboard focus follows the job: to Cancel when it starts here, back to the text when it ends.
  const wasGenerating = useRef(generating);
  useEffect(() => {
    const before = wasGenerating.current;
    wasGenerating.current = generating;
    if (before === generating) return;
    const focused = document.activeElement;
    const lost = !focused || focused === document.body || Boolean(panelRef.current?.contains(focused));
    if (!lost) return;
    if (generating) {
      if (focused !== textareaRef.current) cancelRef.current?.focus();
    } else {
      textareaRef.current?.focus();
    }
  }, [generating]);

  const length = shown.length;
  const words = useMemo(() => countWords(shown), [shown]);
  const overBy = length - limits.pageMax;
  const overLimit = overBy > 0;
  const nearLimit = !overLimit && length > limits.pageMax * 0.9;

  useEffect(() => {
    const el = textareaRef.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);

  // Leaving the page (reload, closing the tab) with unsaved text asks first.
  const dirty = draft !== page.content || conflict !== null;
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      event.returnValue = "";
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  // Unsaved text is also kept in the browser, so a reload, a crashed tab or a failed save never loses it.
  useEffect(() => {
    if (draft === page.content && baseVersion === page.version) {
      clearPageDraft(draftKey);
      return;
    }
    const timer = window.setTimeout(
      () => writePageDraft(draftKey, { content: draft, baseVersion, savedAt: new Date().toISOString() }),
      DRAFT_KEEP_DELAY_MS,
    );
    return () => window.clearTimeout(timer);
  }, [draft, baseVersion, draftKey, page.content, page.version]);

  /**
   * `overAiJob`: the author's explicit "keep my text" (Keep mine, or Save anyway after the server said the AI is
   * writing): saved even while a Generate writes the page.
   */
  async function save(base: number, mode: "save" | "keep-mine", overAiJob = mode === "keep-mine") {
    if (generating && !overAiJob) {
      // Never written over the AI's text while it writes (a job started in another tab, say): refused here, the
      // author's text kept for when the job is done.
      setError(AI_BUSY_SAVE_MESSAGE);
      return;
    }
    if (saving || overLimit || startingRef.current) return;
    setSaving(mode);
    setError(null);
    setAiWritingRefusal(false);
    const result = await callAction(() =>
      savePageAction({
        pageId: page.id,
        content: draft,
        baseVersion: base,
        ...(overAiJob ? { saveWhileAiWrites: true } : {}),
      }),
    );
    setSaving(null);
    if (result.ok) {
      setConflict(null);
      clearPageDraft(draftKey);
      onSaved(toPageData(result.data));
      onClose();
      return;
    }
    if (result.error.code === "CONFLICT") {
      const theirs = readConflict(result.error.details);
      if (theirs) {
        setConflict(theirs);
        return;
      }
    }
    if (result.error.code === "PAGE_AI_WRITING") setAiWritingRefusal(true);
    setError(
      result.error.code === "NOT_FOUND"
        ? "This page no longer exists: it was probably deleted in another tab or by someone else. Your text is still here — copy it before you leave."
        : result.error.message,
    );
    textareaRef.current?.focus();
  }

  /** Saves unsaved text first (never generating over a conflict), then starts the job or joins the running one. */
  async function generate() {
    if (startingRef.current || generating || saving || overLimit || conflict) return;
    startingRef.current = true;
    setStarting(true);
    setRequestError(null);
    setError(null);
    try {
      if (draft !== page.content) {
        const result = await callAction(() => savePageAction({ pageId: page.id, content: draft, baseVersion }));
        if (!result.ok) {
          const theirs = result.error.code === "CONFLICT" ? readConflict(result.error.details) : null;
          if (theirs) setConflict(theirs);
          else
            setError(
              result.error.code === "NOT_FOUND"
                ? "This page no longer exists: it was probably deleted in another tab or by someone else. Your text is still here — copy it before you leave."
                : `Your text could not be saved, so the AI was not started. ${result.error.message}`,
            );
          textareaRef.current?.focus();
          return;
        }
        const saved = toPageData(result.data);
        setBaseVersion(saved.version);
        setDraft(saved.content);
        onSaved(saved);
      }
      const failure = await generation.request(instruction, { fresh });
      if (failure) setRequestError(failure);
    } finally {
      startingRef.current = false;
      setStarting(false);
    }
  }

  /** Cancel, Escape and "Use their version": the author chose to drop their text, so it is not kept either. */
  function discardAndClose() {
    clearPageDraft(draftKey);
    onClose();
  }

  function takeTheirs() {
    if (!conflict) return;
    onSaved({ ...page, content: conflict.content, version: conflict.version, updatedAt: conflict.updatedAt });
    discardAndClose();
  }

  function keepMine() {
    if (!conflict) return;
    setBaseVersion(conflict.version);
    void save(conflict.version, "keep-mine");
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Escape") {
      event.preventDefault();
      if (!saving && !starting) discardAndClose();
    } else if (event.key === "Enter" && event.shiftKey && (event.ctrlKey || event.metaKey)) {
      // Ctrl/⌘+Shift+Enter: Generate with AI without leaving the text.
      event.preventDefault();
      void generate();
    } else if ((event.key === "Enter" || event.key.toLowerCase() === "s") && (event.ctrlKey || event.metaKey)) {
      // Ctrl/⌘+S saves the page instead of opening the browser's "save web page" dialog.
      event.preventDefault();
      if (!conflict) void save(baseVersion, "save");
    }
  }

  const shownError = overLimit
    ? `This page is ${formatCount(overBy)} ${overBy === 1 ? "character" : "characters"} over the limit of ${formatCount(limits.pageMax)}. Shorten it to save — nothing has been saved yet.`
    : error === AI_BUSY_SAVE_MESSAGE && !generating
      ? null
      : error;
  // Text typed here before a job started elsewhere: hidden behind the AI's words while it writes, never dropped.
  const keptWhileGenerating = generating && draft !== page.content;

  return (
    <div ref={panelRef} className="space-y-3" data-testid="page-editor-panel" data-generating={generating || undefined}>
      <label htmlFor={`${id}-text`} className="sr-only">
        Text of page {pageNumber}
      </label>
      <Textarea
        id={`${id}-text`}
        ref={textareaRef}
        data-testid="page-editor"
        value={shown}
        onChange={(e) => {
          if (!generating) setDraft(e.target.value);
        }}
        onKeyDown={onKeyDown}
        readOnly={saving !== null || starting || generating}
        aria-busy={saving !== null || starting || generating || undefined}
        invalid={overLimit}
        aria-describedby={statusId}
        placeholder={job && generating ? `The ${job.modelLabel} is about to write…` : "Write this page…"}
        className={cn(
          "field-sizing-content max-h-[70vh] min-h-40 font-serif text-[15px] leading-7",
          generating && "text-stone-700 read-only:bg-violet-50/40",
        )}
      />
      <div id={statusId} className="flex flex-wrap items-center justify-between gap-2 text-xs">
        <span className="tabular-nums">
          <span data-testid="page-word-count" className="text-stone-500">
            {pluralize(words, "word")}
          </span>
          <span aria-hidden="true" className="text-stone-400">
            {" · "}
          </span>
          <span
            data-testid="page-char-count"
            className={cn(overLimit ? "font-semibold text-red-700" : nearLimit ? "text-amber-700" : "text-stone-500")}
          >
            {formatCount(length)} / {formatCount(limits.pageMax)} characters
          </span>
        </span>
        <span className="text-stone-500">
          <kbd className="rounded border border-stone-300 bg-stone-50 px-1 font-sans">Ctrl</kbd>/
          <kbd className="rounded border border-stone-300 bg-stone-50 px-1 font-sans">⌘</kbd>+
          <kbd className="rounded border border-stone-300 bg-stone-50 px-1 font-sans">S</kbd> or{" "}
          <kbd className="rounded border border-stone-300 bg-stone-50 px-1 font-sans">Enter</kbd> to save ·{" "}
          <kbd className="rounded border border-stone-300 bg-stone-50 px-1 font-sans">Esc</kbd> to cancel ·{" "}
          <kbd className="rounded border border-stone-300 bg-stone-50 px-1 font-sans">Shift</kbd>+
          <kbd className="rounded border border-stone-300 bg-stone-50 px-1 font-sans">Enter</kbd> with Ctrl/⌘ to
          generate
        </span>
      </div>

      {keptWhileGenerating && !shownError ? (
        <Alert tone="info" data-testid="page-draft-kept">
          The AI started writing this page while you were editing it. Your unsaved text is kept and comes back here when
          the AI is done.
        </Alert>
      ) : null}

      {shownError ? (
        <Alert tone="error" data-testid="page-error">
          {shownError}
          {aiWritingRefusal && error === shownError ? (
            <span className="mt-2 block">
              <Button
                data-testid="page-save-anyway"
                size="sm"
                variant="secondary"
                onClick={() => void save(baseVersion, "save", true)}
                disabled={saving !== null || overLimit}
              >
                Save anyway
              </Button>
            </span>
          ) : null}
        </Alert>
      ) : null}

      {conflict ? (
        <div
          data-testid="page-conflict"
          role="alert"
          className="space-y-3 rounded-xl border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950"
        >
          <div className="flex gap-2">
            <TriangleAlert aria-hidden="true" className="mt-0.5 size-4 shrink-0 text-amber-600" />
            <div>
              <p className="font-semibold">
                This page was changed in another tab or by someone else while you were editing.
              </p>
              <p className="mt-1">
                Your text is still in the editor and has not been saved. Here is the newer version (version{" "}
                {conflict.version}, saved <RelativeTime date={conflict.updatedAt} />
                ):
              </p>
            </div>
          </div>
          <section
            data-testid="conflict-their-text"
            // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard to scroll it (axe scrollable-region-focusable, WCAG 2.1.1); it is a named region
            tabIndex={0}
            aria-label="Their version of the page"
            className="max-h-56 overflow-auto rounded-lg border border-amber-200 bg-white p-3 font-serif text-[15px] leading-7 whitespace-pre-wrap text-stone-800 empty:before:text-stone-500 empty:before:italic empty:before:content-['(empty_page)']"
          >
            {conflict.content}
          </section>
          <div className="flex flex-wrap items-center gap-2">
            <Button data-testid="conflict-use-theirs" size="sm" onClick={takeTheirs} disabled={saving !== null}>
              Use their version
            </Button>
            <Button
              data-testid="conflict-keep-mine"
              size="sm"
              variant="primary"
              onClick={keepMine}
              pending={saving === "keep-mine"}
              disabled={overLimit || (saving !== null && saving !== "keep-mine")}
            >
              {saving === "keep-mine" ? "Saving mine…" : "Keep mine"}
            </Button>
            <p className="text-xs text-amber-900/80">
              “Keep mine” saves your text on top of theirs; their version stays in the page history.
            </p>
          </div>
        </div>
      ) : null}

      <div className="flex items-center justify-end gap-2">
        <Button
          data-testid="page-cancel"
          size="sm"
          variant="ghost"
          onClick={discardAndClose}
          disabled={saving !== null || starting}
          title={generating ? "Close the editor; the AI keeps working and the page shows its progress" : undefined}
        >
          {generating ? "Close" : "Cancel"}
        </Button>
        <Button
          data-testid="page-save"
          size="sm"
          variant="primary"
          onClick={() => void save(baseVersion, "save")}
          pending={saving === "save"}
          disabled={overLimit || conflict !== null || saving !== null || starting || generating}
          title={
            conflict
              ? "Choose a version above first"
              : generating
                ? "Wait for the AI to finish, or cancel it"
                : undefined
          }
        >
          {saving === "save" ? "Saving…" : "Save"}
        </Button>
      </div>

      <GenerateControls
        pageId={page.id}
        generation={generation}
        blank={draft.trim() === ""}
        instruction={instruction}
        onInstructionChange={(value) => {
          setInstruction(value);
          setRequestError(null);
        }}
        busy={starting || generating || saving !== null}
        starting={starting}
        disabledReason={
          overLimit ? "Shorten the page to within the limit first." : conflict ? "Choose a version above first." : null
        }
        requestError={requestError}
        fresh={fresh}
        onFreshChange={setFresh}
        onGenerate={() => void generate()}
        onDismissRequestError={() => setRequestError(null)}
        cancelRef={cancelRef}
      />
      <TakesPanel pageId={page.id} instruction={instruction} busy={starting || generating || saving !== null} />
    </div>
  );
}
