"use client";

import { useId, useState } from "react";
import { Button, focusRing } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { INSTRUCTION_MAX } from "@/lib/stories/limits";
import { cn } from "@/lib/ui/cn";
import { formatCount } from "@/lib/ui/format";
import type { BackgroundWorkflowChoice, StartOutcome } from "./use-background-revision";

/**
 * The instruction for a background revision and its start button. The pages come from the boxes ticked on their
 * cards; a new revision clears the instruction, one already running leaves it for the author to reuse.
 */
export function BackgroundRevisionForm({
  selectedPageIds,
  active,
  onStarting,
  onStart,
}: {
  /** The ticked pages that can be revised (blank pages cannot). */
  selectedPageIds: string[];
  /** A revision of this story is running: a second one cannot start. */
  active: boolean;
  /** Called on every attempt, before the checks (clears the last report). */
  onStarting: () => void;
  onStart: (pageIds: string[], instruction: string, workflow: BackgroundWorkflowChoice) => Promise<StartOutcome>;
}) {
  const id = useId();
  const [instruction, setInstruction] = useState("");
  // Revise, then proofread: each page's job proofreads its own revision as a second, recorded step.
  const [proofread, setProofread] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const selectedCount = selectedPageIds.length;

  async function start() {
    if (starting || active) return;
    setError(null);
    onStarting();
    if (selectedCount === 0) {
      setError("Tick the pages to revise first (or Select all).");
      return;
    }
    if (instruction.trim() === "") {
      setError("Say how the pages should be revised.");
      return;
    }
    setStarting(true);
    const outcome = await onStart(selectedPageIds, instruction, proofread ? "revise_proofread" : "revise");
    setStarting(false);
    if ("error" in outcome) setError(outcome.error);
    else if (outcome.created) setInstruction("");
  }

  return (
    <div className="space-y-1.5">
      {/* The instruction appears with the first ticked page (as a mail client's bulk actions do): until then its three
          controls were tab stops between the story's header and its first page. What was typed stays while hidden. */}
      {selectedCount > 0 ? (
        <>
          <label htmlFor={`${id}-instruction`} className="block font-medium text-stone-800">
            How should the AI revise the selected pages?
          </label>
          <div className="flex flex-wrap gap-2">
            <Input
              id={`${id}-instruction`}
              data-testid="background-instruction"
              className="min-w-48 flex-1"
              value={instruction}
              maxLength={INSTRUCTION_MAX}
              required
              aria-invalid={error ? true : undefined}
              aria-describedby={`${id}-hint${error ? ` ${id}-error` : ""}`}
              placeholder="e.g. simpler words for young readers"
              autoComplete="off"
              onChange={(e) => setInstruction(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter") {
                  e.preventDefault();
                  void start();
                }
              }}
            />
            <Button
              data-testid="background-start"
              variant="primary"
              pending={starting}
              disabled={starting || active}
              title={active ? "A background revision of this story is running" : undefined}
              onClick={() => void start()}
            >
              Revise in background
            </Button>
          </div>
          <label className="inline-flex items-center gap-1.5 text-xs text-stone-700">
            <input
              type="checkbox"
              data-testid="background-proofread"
              checked={proofread}
              disabled={starting || active}
              aria-describedby={`${id}-proofread-hint`}
              onChange={(e) => setProofread(e.target.checked)}
              className={cn("size-4 rounded border-stone-300 accent-violet-700", focusRing)}
            />
            Then proofread
            <span id={`${id}-proofread-hint`} className="text-stone-600">
              (a second step corrects spelling, grammar and punctuation of each revised page; it costs a second call)
            </span>
          </label>
        </>
      ) : null}
      <p id={`${id}-hint`} className="flex justify-between gap-3 text-xs text-stone-600">
        <span data-testid="background-selected-count">
          {selectedCount === 0
            ? "Tick the pages to revise on their cards. Blank pages cannot be revised."
            : `${selectedCount} ${selectedCount === 1 ? "page" : "pages"} selected. Each result waits as a suggestion on its page.`}
        </span>
        <span className="shrink-0 tabular-nums">
          {formatCount(instruction.length)} / {formatCount(INSTRUCTION_MAX)}
        </span>
      </p>
      {error ? (
        <p id={`${id}-error`} data-testid="background-error" role="alert" className="text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
