"use client";

import { useEffect, useMemo, useState } from "react";
import { cn } from "@/lib/ui/cn";
import { clearPageDraft, type KeptPageDraft, latestPageDraft } from "@/lib/ui/page-drafts";
import { useCodexEntries } from "./codex/codex-entries-context";
import { HistoryPanel } from "./history-panel";
import { PageActions } from "./page-actions";
import { PageCardHeader } from "./page-card-header";
import { PageEditor } from "./page-editor";
import { UnsavedDraftNotice } from "./unsaved-draft-notice";
import { PageGeneratingView } from "./page-generating-view";
import { PageMentions, type PageMention } from "./page-mentions";
import { PageReadView } from "./page-read-view";
import { PageSuggestions } from "./page-suggestions";
import { PageIllustration } from "./page-illustration";
import { PageSummary } from "./page-summary";
import { useStoryRights } from "./story-rights";
import type { IllustrationView } from "@/lib/stories";
import type { PageData, PageJobData, SuggestionData } from "./types";
import { isJobSettled } from "./use-page-job";
import { usePageCardFocus } from "./use-page-card-focus";
import { usePageGeneration } from "./use-page-generation";
import { useUndoPageJob } from "./use-undo-page-job";

/** How long the "Saved" badge stays after a save. */
const SAVED_BADGE_MS = 2500;

export interface PageCardProps {
  page: PageData;
  /** The page was just added here: it mounts with its editor open. */
  startEditing?: boolean;
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
  /** Codex entries the page's text mentions. */
  mentions?: PageMention[];
  /** The illustration the author chose for the page, if any. */
  illustration?: IllustrationView | null;
}

/**
 * One page of a story: its top bar, then the editor, the AI's progress or the text (one of the three), the page's
 * open suggestions, and its history on demand. The AI job's logic lives in `usePageGeneration`.
 */
export function PageCard({
  page,
  startEditing = false,
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
  mentions = [],
  illustration = null,
}: PageCardProps) {
  const pageNumber = index + 1;
  const { edit: canEdit } = useStoryRights();
  const [editing, setEditing] = useState(startEditing && canEdit);
  // The server's refreshed list can show a just-added page before the add's own answer marks it as new; open the
  // editor when the mark arrives, not only when the card first mounts.
  const [wasStartEditing, setWasStartEditing] = useState(startEditing);
  if (wasStartEditing !== startEditing) {
    setWasStartEditing(startEditing);
    if (startEditing && canEdit) setEditing(true);
  }
  const [historyOpen, setHistoryOpen] = useState(false);
  const [justSaved, setJustSaved] = useState(false);
  // Read after mount: localStorage does not exist on the server, and reading it while rendering would not hydrate.
  const [storedDraft, setStoredDraft] = useState<KeptPageDraft | null>(null);
  const [restoredDraft, setRestoredDraft] = useState<KeptPageDraft | undefined>(undefined);
  useEffect(() => {
    // While the editor is open it owns the kept draft.
    if (editing) return;
    setStoredDraft(latestPageDraft(page.id, page.content));
  }, [page.id, page.content, editing]);
  // The text being typed, while the editor is open: the mention chips follow it, and the codex as it changes.
  const [draft, setDraft] = useState<string | null>(null);
  const codex = useCodexEntries();
  const mentionsOf = codex?.mentionsOf;
  const mentionText = editing && draft !== null ? draft : page.content;
  const liveMentions = useMemo(() => mentionsOf?.(mentionText), [mentionsOf, mentionText]);

  const undo = useUndoPageJob({ pageNumber, onChanged });
  const { generation, job, generating, retrying, retry, announcement } = usePageGeneration({
    page,
    pageNumber,
    activeJob,
    modelLabel,
    onChanged,
    onSuggestionAdded,
    undo,
  });
  const focus = usePageCardFocus({ editing, generating });

  useEffect(() => {
    if (!justSaved) return;
    const timer = window.setTimeout(() => setJustSaved(false), SAVED_BADGE_MS);
    return () => window.clearTimeout(timer);
  }, [justSaved]);

  function openEditor() {
    setJustSaved(false);
    setEditing(true);
  }

  function restoreDraft() {
    if (!storedDraft) return;
    setRestoredDraft(storedDraft);
    setStoredDraft(null);
    openEditor();
  }

  function discardDraft() {
    if (storedDraft) clearPageDraft(storedDraft.key);
    // Another tab's draft of the same page, if there is one, is offered next.
    setStoredDraft(latestPageDraft(page.id, page.content));
    focus.contentRef.current?.focus();
  }

  return (
    <li
      ref={focus.cardRef}
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
        <PageCardHeader
          page={page}
          pageNumber={pageNumber}
          selected={selected}
          onSelectedChange={onSelectedChange}
          savingOrder={savingOrder}
          generating={generating}
          justSaved={justSaved}
        />
        <PageActions
          pageNumber={pageNumber}
          isFirst={index === 0}
          isLast={index === total - 1}
          listBusy={listBusy}
          adding={adding}
          deleting={deleting}
          editing={editing}
          generating={generating}
          onHistory={() => setHistoryOpen(true)}
          onMove={onMove}
          onAddAfter={onAddAfter}
          onDelete={onDelete}
        />
      </div>

      <PageMentions mentions={liveMentions ?? mentions} pageNumber={pageNumber} />

      <div className="px-4 py-4 sm:px-5">
        {canEdit && storedDraft && !editing && !generating ? (
          <UnsavedDraftNotice
            draft={storedDraft}
            pageNumber={pageNumber}
            onRestore={restoreDraft}
            onDiscard={discardDraft}
          />
        ) : null}
        {editing ? (
          <PageEditor
            page={page}
            pageNumber={pageNumber}
            generation={generation}
            restoredDraft={restoredDraft}
            onSaved={(next) => {
              onChanged(next);
              setJustSaved(true);
            }}
            onDraftChange={setDraft}
            onClose={() => {
              focus.focusAfterEditorCloses();
              setEditing(false);
              setRestoredDraft(undefined);
              setDraft(null);
              // The author has seen the outcome in the editor; a running job stays visible on the page.
              if (job && isJobSettled(job)) generation.dismiss();
            }}
          />
        ) : job && generating ? (
          <PageGeneratingView
            job={job}
            generation={generation}
            pageNumber={pageNumber}
            pageContent={page.content}
            onRetry={retry}
            focusHandlers={focus.progressFocusHandlers}
          />
        ) : (
          <PageReadView
            page={page}
            pageNumber={pageNumber}
            generation={generation}
            retrying={retrying}
            onRetry={retry}
            onEdit={openEditor}
            contentRef={focus.contentRef}
          />
        )}
      </div>

      <PageSuggestions
        suggestions={suggestions}
        page={page}
        pageNumber={pageNumber}
        jobRunning={generating}
        onResolved={(suggestionId) => {
          onSuggestionResolved(suggestionId);
          // Its panel is gone: keyboard focus goes back to the page's text.
          focus.focusAfterSuggestionResolved();
        }}
        onChanged={onChanged}
        undo={undo}
      />

      <PageIllustration
        pageId={page.id}
        pageNumber={pageNumber}
        hasText={page.content.trim() !== ""}
        initialChosen={illustration}
        openSuggestions={suggestions.map((s) => s.id).join(",")}
      />

      <PageSummary
        pageId={page.id}
        pageNumber={pageNumber}
        pageVersion={page.version}
        hasText={page.content.trim() !== ""}
      />

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
