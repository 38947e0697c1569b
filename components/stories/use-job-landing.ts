"use client";

import { useToast } from "@/components/ui/toast";
import type { PageData, PageJobData, SuggestionData } from "./types";
import { suggestionReasonText, UNCHANGED_TEXT } from "./suggestion-reason-text";

/**
 * What happens on a page once its job's outcome is known: the new text is put in place (with Undo), or the text
 * waits as a suggestion because the page changed meanwhile, or nothing changes (a failure or a cancellation is shown
 * by the job's status block, with Retry).
 */
export function useJobLanding({
  onChanged,
  onSuggestionAdded,
  undo,
  announce,
}: {
  onChanged: (page: PageData) => void;
  onSuggestionAdded: (suggestion: SuggestionData) => void;
  undo: (jobId: string) => Promise<void>;
  /** Sets the card's polite live region ("" clears it). */
  announce: (message: string) => void;
}) {
  const toast = useToast();

  /** `current` is the page as it is now (not as it was when the job started). */
  return function land(settled: PageJobData, current: { page: PageData; pageNumber: number }) {
    const { page, pageNumber } = current;
    if (settled.status !== "succeeded") {
      announce("");
      // The failure is shown by the status block, with Retry; the text never changed. A notification says so too,
      // for an author looking at another page (a cancellation was asked for: no news).
      if (settled.status === "failed") {
        toast.error(
          `Page ${pageNumber}: ${settled.errorMessage ?? "The generation failed."} The page's text is unchanged.`,
        );
      }
      return;
    }
    if (settled.page) {
      onChanged({
        ...page,
        content: settled.page.content,
        version: settled.page.version,
        updatedAt: settled.page.updatedAt,
      });
    }
    if (settled.resolution === "applied") {
      announce("");
      toast.show({
        tone: "success",
        message: `The ${settled.modelLabel} ${settled.jobType === "page_text.write" ? "wrote" : "revised"} page ${pageNumber}.`,
        action: { label: "Undo", testId: "toast-undo-ai", onClick: () => void undo(settled.id) },
      });
      return;
    }
    if (settled.resolution === "unchanged") {
      announce("");
      toast.show({ tone: "info", message: `Page ${pageNumber}: ${UNCHANGED_TEXT}` });
      return;
    }
    if (settled.suggestionId && settled.outputText !== null) {
      onSuggestionAdded({
        id: settled.suggestionId,
        pageId: page.id,
        jobId: settled.id,
        content: settled.outputText,
        baseVersion: settled.baseVersion ?? page.version,
        createdAt: settled.completedAt ?? new Date().toISOString(),
        parentJobId: settled.parentJobId ?? null,
        reason: settled.suggestionReason,
      });
    }
    if (settled.parentJobId) {
      // One page of a background revision: its result always waits as a suggestion; the revision panel reports it.
      announce(`The background revision's text for page ${pageNumber} is waiting as a suggestion.`);
      return;
    }
    announce("");
    toast.show({
      tone: "info",
      message: `Page ${pageNumber}: ${suggestionReasonText(settled.suggestionReason)} The AI text is waiting as a suggestion on the page.`,
    });
  };
}
