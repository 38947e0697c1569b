"use client";

import { useToast } from "@/components/ui/toast";
import { SuggestionPanel } from "./suggestion-panel";
import type { PageData, SuggestionData } from "./types";

/** A page's open AI suggestions, newest first, each with compare, apply (with Undo) and discard. */
export function PageSuggestions({
  suggestions,
  page,
  pageNumber,
  jobRunning,
  onResolved,
  onChanged,
  undo,
}: {
  suggestions: SuggestionData[];
  page: PageData;
  pageNumber: number;
  jobRunning: boolean;
  /** The suggestion is gone (applied, discarded, or resolved elsewhere). */
  onResolved: (suggestionId: string) => void;
  onChanged: (page: PageData) => void;
  undo: (jobId: string) => Promise<void>;
}) {
  const toast = useToast();
  if (suggestions.length === 0) return null;
  return (
    <div className="space-y-3 border-t border-stone-100 px-4 py-4 sm:px-5">
      {suggestions.map((suggestion) => (
        <SuggestionPanel
          key={suggestion.id}
          suggestion={suggestion}
          page={page}
          pageNumber={pageNumber}
          jobRunning={jobRunning}
          onApplied={(next) => {
            onResolved(suggestion.id);
            onChanged(next);
            toast.show({
              tone: "success",
              message: `Applied the AI suggestion to page ${pageNumber}.`,
              action: { label: "Undo", testId: "toast-undo-ai", onClick: () => void undo(suggestion.jobId) },
            });
          }}
          onDiscarded={() => {
            onResolved(suggestion.id);
            toast.show({ tone: "info", message: `Discarded the AI suggestion for page ${pageNumber}.` });
          }}
          onGone={() => onResolved(suggestion.id)}
          onPageChanged={onChanged}
        />
      ))}
    </div>
  );
}
