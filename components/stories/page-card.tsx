"use client";

import { ArrowDown, ArrowUp, History, ListPlus, Pencil, Trash2 } from "lucide-react";
import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import { Button } from "@/components/ui/button";
import { RelativeTime } from "@/components/ui/relative-time";
import { Spinner } from "@/components/ui/spinner";
import { cn } from "@/lib/ui/cn";
import { formatCount } from "@/lib/ui/format";
import { HistoryPanel } from "./history-panel";
import { PageEditor } from "./page-editor";
import type { PageData } from "./types";

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
  onChanged,
  onMove,
  onAddAfter,
  onDelete,
}: PageCardProps) {
  const pageNumber = index + 1;
  const [editing, setEditing] = useState(false);
  const [historyOpen, setHistoryOpen] = useState(false);
  const [justSaved, setJustSaved] = useState(false);
  const contentRef = useRef<HTMLDivElement>(null);
  const focusContentAfterEdit = useRef(false);
  const textId = `page-${page.id}-text`;

  useEffect(() => {
    if (!editing && focusContentAfterEdit.current) {
      focusContentAfterEdit.current = false;
      contentRef.current?.focus();
    }
  }, [editing]);

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
      data-testid="page-card"
      data-page-id={page.id}
      data-version={page.version}
      data-editing={editing || undefined}
      aria-label={`Page ${pageNumber}`}
      className={cn(
        "group/page relative rounded-2xl border bg-white shadow-sm transition-shadow",
        editing ? "border-emerald-300 ring-4 ring-emerald-100" : "border-stone-200 hover:shadow-md",
        deleting && "opacity-60",
      )}
    >
      <div className="flex flex-wrap items-center justify-between gap-2 border-b border-stone-100 px-4 py-2 sm:px-5">
        <div className="flex min-w-0 items-center gap-2 text-xs text-stone-500">
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
            title={editing ? "Finish editing first" : "Delete"}
            disabled={editing || deleting}
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
            onSaved={(next) => {
              onChanged(next);
              setJustSaved(true);
            }}
            onClose={() => {
              focusContentAfterEdit.current = true;
              setEditing(false);
            }}
          />
        ) : (
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
        )}
      </div>

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
