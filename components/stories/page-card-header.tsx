"use client";

import { WandSparkles } from "lucide-react";
import { RelativeTime } from "@/components/ui/relative-time";
import { Spinner } from "@/components/ui/spinner";
import { useStoryRights } from "./story-rights";
import type { PageData } from "./types";

/**
 * The left side of a page card's top bar: the box that selects the page for a background revision, the page's
 * number, version and age, and short states (saving order, AI at work, saved).
 */
export function PageCardHeader({
  page,
  pageNumber,
  selected,
  onSelectedChange,
  savingOrder,
  generating,
  justSaved,
}: {
  page: PageData;
  pageNumber: number;
  selected: boolean;
  onSelectedChange: (selected: boolean) => void;
  savingOrder: boolean;
  generating: boolean;
  justSaved: boolean;
}) {
  // A background revision rewrites text: a blank page has none to revise.
  const blank = page.content.trim() === "";
  const { generate: canGenerate } = useStoryRights();
  return (
    <div className="flex min-w-0 items-center gap-2 text-xs text-stone-500">
      {canGenerate ? (
        <input
          type="checkbox"
          data-testid="page-select"
          className="size-4 accent-violet-600 disabled:opacity-40"
          aria-label={`Select page ${pageNumber} for a background revision`}
          title={blank ? "A blank page cannot be revised" : "Select for a background revision"}
          checked={selected && !blank}
          disabled={blank}
          onChange={(e) => onSelectedChange(e.target.checked)}
        />
      ) : null}
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
        <span
          data-testid="page-ai-badge"
          className="inline-flex items-center gap-1 rounded-full bg-violet-50 px-2 py-0.5 font-medium text-violet-700"
        >
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
  );
}
