"use client";

import { Pencil } from "lucide-react";
import type { KeyboardEvent, Ref } from "react";
import { cn } from "@/lib/ui/cn";
import { formatCount } from "@/lib/ui/format";
import { GenerationStatus } from "./generation-status";
import { useStoryRights } from "./story-rights";
import type { PageGeneration } from "./use-page-generation";
import type { PageData } from "./types";

/**
 * A page as read (the editor closed, no job running): the outcome of a failed or cancelled job with Retry, then the
 * text, which is itself the button that opens the editor (click, Enter or Space).
 */
export function PageReadView({
  page,
  pageNumber,
  generation,
  retrying,
  onRetry,
  onEdit,
  contentRef,
}: {
  page: PageData;
  pageNumber: number;
  generation: PageGeneration;
  retrying: boolean;
  onRetry: () => void;
  onEdit: () => void;
  contentRef: Ref<HTMLDivElement>;
}) {
  const textId = `page-${page.id}-text`;
  const { job } = generation;
  const { edit: canEdit } = useStoryRights();

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    // Keys pressed in anything nested inside are theirs.
    if (event.target !== event.currentTarget) return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      onEdit();
    }
  }

  return (
    <>
      {job && (job.status === "failed" || job.status === "cancelled") ? (
        <GenerationStatus
          job={job}
          changedAt={generation.changedAt}
          transport={generation.transport}
          cancelling={false}
          retrying={retrying}
          onCancel={() => {}}
          onRetry={onRetry}
          onDismiss={generation.dismiss}
          className="mb-3"
        />
      ) : null}
      {canEdit ? null : (
        <div
          ref={contentRef}
          id={textId}
          data-testid="page-content"
          data-readonly="true"
          tabIndex={-1}
          className={cn(
            "min-h-16 rounded-lg px-3 py-2 -mx-3 font-serif text-[15px] leading-7 whitespace-pre-wrap break-words text-stone-800 outline-none",
            "empty:before:text-stone-500 empty:before:italic empty:before:content-['Empty_page']",
          )}
        >
          {page.content}
        </div>
      )}
      {canEdit ? (
        <div className="relative">
          {/* biome-ignore lint/a11y/useSemanticElements: the page's own pre-wrapped prose is the click/Enter target that opens the editor; a <button> would change its layout and text styling (and cannot hold the :empty placeholder the same way) */}
          <div
            ref={contentRef}
            id={textId}
            data-testid="page-content"
            role="button"
            tabIndex={0}
            // The name holds the visible text (WCAG 2.5.3, label in name): "Edit page 2" and then the page's prose.
            aria-label={page.content ? undefined : `Edit page ${pageNumber} (empty)`}
            aria-labelledby={page.content ? `${textId}-action ${textId}` : undefined}
            onClick={onEdit}
            onKeyDown={onKeyDown}
            className={cn(
              "min-h-16 cursor-text rounded-lg px-3 py-2 -mx-3 sm:pr-8 font-serif text-[15px] leading-7 whitespace-pre-wrap break-words text-stone-800",
              "transition-colors hover:bg-stone-50 outline-none focus-visible:ring-2 focus-visible:ring-emerald-600",
              "empty:before:text-stone-500 empty:before:italic empty:before:content-['Empty_page_—_click_or_press_Enter_to_write']",
            )}
          >
            {page.content}
          </div>
          <span id={`${textId}-action`} hidden>
            Edit page {pageNumber}
          </span>
          <Pencil
            aria-hidden="true"
            className="pointer-events-none absolute top-3 right-0 hidden size-4 text-stone-300 opacity-0 transition-opacity group-hover/page:opacity-100 sm:block"
          />
          {page.content ? (
            <p className="mt-2 text-right text-[11px] text-stone-500 tabular-nums">
              {formatCount(page.content.length)} characters
            </p>
          ) : null}
        </div>
      ) : null}
    </>
  );
}
