"use client";

import { TriangleAlert } from "lucide-react";
import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { savePageAction } from "@/app/actions/stories";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Textarea } from "@/components/ui/input";
import { RelativeTime } from "@/components/ui/relative-time";
import { limits } from "@/lib/stories/limits";
import { callAction } from "@/lib/ui/call-action";
import { cn } from "@/lib/ui/cn";
import { formatCount } from "@/lib/ui/format";
import { toPageData, type PageData } from "./types";

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
 */
export function PageEditor({
  page,
  pageNumber,
  onSaved,
  onClose,
}: {
  page: PageData;
  pageNumber: number;
  /** A newer state of the page: after a save, or when the author took the other version. */
  onSaved: (page: PageData) => void;
  onClose: () => void;
}) {
  const [draft, setDraft] = useState(page.content);
  const [baseVersion, setBaseVersion] = useState(page.version);
  const [saving, setSaving] = useState<"save" | "keep-mine" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [conflict, setConflict] = useState<TheirVersion | null>(null);
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  const id = useId();
  const statusId = `${id}-status`;

  const length = draft.length;
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

  async function save(base: number, mode: "save" | "keep-mine") {
    if (saving || overLimit) return;
    setSaving(mode);
    setError(null);
    const result = await callAction(() => savePageAction({ pageId: page.id, content: draft, baseVersion: base }));
    setSaving(null);
    if (result.ok) {
      setConflict(null);
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
    setError(
      result.error.code === "NOT_FOUND"
        ? "This page no longer exists: it was probably deleted in another tab or by someone else. Your text is still here — copy it before you leave."
        : result.error.message,
    );
    textareaRef.current?.focus();
  }

  function takeTheirs() {
    if (!conflict) return;
    onSaved({ ...page, content: conflict.content, version: conflict.version, updatedAt: conflict.updatedAt });
    onClose();
  }

  function keepMine() {
    if (!conflict) return;
    setBaseVersion(conflict.version);
    void save(conflict.version, "keep-mine");
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Escape") {
      event.preventDefault();
      if (!saving) onClose();
    } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (!conflict) void save(baseVersion, "save");
    }
  }

  const shownError = overLimit
    ? `This page is ${formatCount(overBy)} ${overBy === 1 ? "character" : "characters"} over the limit of ${formatCount(limits.pageMax)}. Shorten it to save — nothing has been saved yet.`
    : error;

  return (
    <div className="space-y-3" data-testid="page-editor-panel">
      <label htmlFor={`${id}-text`} className="sr-only">
        Text of page {pageNumber}
      </label>
      <Textarea
        id={`${id}-text`}
        ref={textareaRef}
        data-testid="page-editor"
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={onKeyDown}
        readOnly={saving !== null}
        aria-busy={saving !== null || undefined}
        invalid={overLimit}
        aria-describedby={statusId}
        placeholder="Write this page…"
        className="field-sizing-content max-h-[70vh] min-h-40 font-serif text-[15px] leading-7"
      />
      <div id={statusId} className="flex flex-wrap items-center justify-between gap-2 text-xs">
        <span
          data-testid="page-char-count"
          className={cn(
            "tabular-nums",
            overLimit ? "font-semibold text-red-700" : nearLimit ? "text-amber-700" : "text-stone-500",
          )}
        >
          {formatCount(length)} / {formatCount(limits.pageMax)} characters
        </span>
        <span className="text-stone-500">
          <kbd className="rounded border border-stone-300 bg-stone-50 px-1 font-sans">Ctrl</kbd>/
          <kbd className="rounded border border-stone-300 bg-stone-50 px-1 font-sans">⌘</kbd>+
          <kbd className="rounded border border-stone-300 bg-stone-50 px-1 font-sans">Enter</kbd> to save ·{" "}
          <kbd className="rounded border border-stone-300 bg-stone-50 px-1 font-sans">Esc</kbd> to cancel
        </span>
      </div>

      {shownError ? (
        <Alert tone="error" data-testid="page-error">
          {shownError}
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
              <p className="font-semibold">This page was changed in another tab or by someone else while you were editing.</p>
              <p className="mt-1">
                Your text is still in the editor and has not been saved. Here is the newer version (version{" "}
                {conflict.version}, saved <RelativeTime date={conflict.updatedAt} />
                ):
              </p>
            </div>
          </div>
          <pre
            data-testid="conflict-their-text"
            tabIndex={0}
            aria-label="Their version of the page"
            className="max-h-56 overflow-auto rounded-lg border border-amber-200 bg-white p-3 font-serif text-[15px] leading-7 whitespace-pre-wrap text-stone-800 empty:before:text-stone-400 empty:before:italic empty:before:content-['(empty_page)']"
          >
            {conflict.content}
          </pre>
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
        <Button data-testid="page-cancel" size="sm" variant="ghost" onClick={onClose} disabled={saving !== null}>
          Cancel
        </Button>
        <Button
          data-testid="page-save"
          size="sm"
          variant="primary"
          onClick={() => void save(baseVersion, "save")}
          pending={saving === "save"}
          disabled={overLimit || conflict !== null || saving !== null}
          title={conflict ? "Choose a version above first" : undefined}
        >
          {saving === "save" ? "Saving…" : "Save"}
        </Button>
      </div>
    </div>
  );
}
