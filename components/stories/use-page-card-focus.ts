"use client";

import { useEffect, useRef, type FocusEvent } from "react";

/** Nothing has keyboard focus: what a removed element leaves behind. */
function focusIsLost(): boolean {
  return !document.activeElement || document.activeElement === document.body;
}

/**
 * Keeps keyboard focus on the page card when the part holding it disappears: the editor closes, a job's progress
 * block (with its Cancel) gives way to the text, or a suggestion panel is resolved. Without this, focus falls back
 * to the document and a keyboard user starts again from the top.
 */
export function usePageCardFocus({ editing, generating }: { editing: boolean; generating: boolean }) {
  const cardRef = useRef<HTMLLIElement>(null);
  const contentRef = useRef<HTMLDivElement>(null);
  const focusContentAfterEdit = useRef(false);

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
    if (focusIsLost()) contentRef.current?.focus();
  }, [generating, editing]);

  return {
    cardRef,
    contentRef,
    /** Call as the editor closes: focus goes to the page's text (or its progress) once the editor is gone. */
    focusAfterEditorCloses() {
      focusContentAfterEdit.current = true;
    },
    /** Call as a suggestion panel goes away: focus goes back to the page's text (or its open editor). */
    focusAfterSuggestionResolved() {
      requestAnimationFrame(() => {
        if (!focusIsLost()) return;
        const target =
          contentRef.current ??
          cardRef.current?.querySelector<HTMLElement>('[data-testid="page-editor"]') ??
          cardRef.current;
        target?.focus();
      });
    },
    /** Spread on the progress block: remembers whether keyboard focus is inside it. */
    progressFocusHandlers: {
      onFocus() {
        focusInProgress.current = true;
      },
      onBlur(event: FocusEvent<HTMLElement>) {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) focusInProgress.current = false;
      },
    },
  };
}
