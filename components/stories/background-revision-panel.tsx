"use client";

import { Layers } from "lucide-react";
import { useEffect, useId, useRef } from "react";
import { Alert } from "@/components/ui/alert";
import { BackgroundRevisionForm } from "./background-revision-form";
import { BackgroundRevisionProgress } from "./background-revision-progress";
import type { BackgroundRevisionData, PageData } from "./types";
import { type BackgroundWorkflowChoice, useBackgroundRevision } from "./use-background-revision";

/**
 * Revise in background: the pages ticked on their cards, one instruction, one button. Then the revision's progress
 * (polled while it runs, and loaded again after a reload), Cancel, and Apply all / Discard all for its suggestions.
 * Each page's own suggestion panel still offers compare, apply and discard one by one.
 */
export function BackgroundRevisionPanel({
  storyId,
  pages,
  selected,
  onSelectAll,
  onClearSelection,
  initial,
}: {
  storyId: string;
  pages: PageData[];
  selected: ReadonlySet<string>;
  onSelectAll: (select: boolean) => void;
  onClearSelection: () => void;
  initial: BackgroundRevisionData | null;
}) {
  const id = useId();
  const background = useBackgroundRevision({ storyId, initial });
  const { revision, active } = background;
  const progressRef = useRef<HTMLDivElement>(null);

  // A blank page has no text to revise: it can be neither selected nor counted.
  const revisable = pages.filter((p) => p.content.trim() !== "");
  const selectedPageIds = revisable.filter((p) => selected.has(p.id)).map((p) => p.id);
  const allSelected = revisable.length > 0 && selectedPageIds.length === revisable.length;

  async function start(pageIds: string[], instruction: string, workflow: BackgroundWorkflowChoice) {
    const outcome = await background.start(pageIds, instruction, workflow);
    if ("created" in outcome) {
      if (outcome.created) onClearSelection();
      // The answer is in the progress block (a new revision, or the one already running): the reader goes there.
      requestAnimationFrame(() => progressRef.current?.focus());
    }
    return outcome;
  }

  return (
    <section
      aria-labelledby={`${id}-title`}
      data-testid="background-panel"
      className="space-y-3 rounded-2xl border border-violet-200 bg-violet-50/40 p-4 text-sm"
    >
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id={`${id}-title`} className="flex items-center gap-2 font-semibold text-violet-950">
          <Layers aria-hidden="true" className="size-4 text-violet-600" />
          Revise in background
        </h2>
        <SelectAllPages
          allSelected={allSelected}
          someSelected={selectedPageIds.length > 0}
          disabled={revisable.length === 0}
          onChange={onSelectAll}
        />
      </div>

      <BackgroundRevisionForm
        selectedPageIds={selectedPageIds}
        active={active}
        onStarting={background.clearReport}
        onStart={start}
      />

      {revision ? (
        <BackgroundRevisionProgress
          ref={progressRef}
          revision={revision}
          active={active}
          pollFailures={background.pollFailures}
          busy={background.busy}
          onCancel={background.cancel}
          onApplyAll={background.applyAll}
          onDiscardAll={background.discardAll}
          onClose={background.close}
        />
      ) : null}

      {background.report ? (
        <Alert tone={background.report.tone} data-testid="background-report">
          {background.report.text}
        </Alert>
      ) : null}
    </section>
  );
}

/** "Select all", shown half-ticked when only some pages are selected. */
function SelectAllPages({
  allSelected,
  someSelected,
  disabled,
  onChange,
}: {
  allSelected: boolean;
  someSelected: boolean;
  disabled: boolean;
  onChange: (select: boolean) => void;
}) {
  const ref = useRef<HTMLInputElement>(null);
  // `indeterminate` exists only as a DOM property, not as an attribute React could render.
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = someSelected && !allSelected;
  }, [someSelected, allSelected]);
  return (
    <label className="inline-flex items-center gap-2 text-stone-700">
      <input
        ref={ref}
        type="checkbox"
        data-testid="background-select-all"
        className="size-4 accent-violet-600"
        checked={allSelected}
        disabled={disabled}
        onChange={(e) => onChange(e.target.checked)}
      />
      Select all
    </label>
  );
}
