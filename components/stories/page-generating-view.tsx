"use client";

import type { FocusEvent } from "react";
import { cn } from "@/lib/ui/cn";
import { GenerationStatus, streamedText } from "./generation-status";
import type { PageGeneration } from "./use-page-generation";
import type { PageJobData } from "./types";

/**
 * A page while its AI job runs (and the editor is closed): the job's progress with Cancel, and the text as the model
 * writes it (the page's own text until the first words arrive).
 */
export function PageGeneratingView({
  job,
  generation,
  pageNumber,
  pageContent,
  onRetry,
  focusHandlers,
}: {
  job: PageJobData;
  generation: PageGeneration;
  pageNumber: number;
  pageContent: string;
  onRetry: () => void;
  /** Lets the card know whether keyboard focus is inside, to move it when this view goes away. */
  focusHandlers: { onFocus: () => void; onBlur: (event: FocusEvent<HTMLElement>) => void };
}) {
  const streamed = streamedText(job);
  return (
    <div data-testid="page-generating" aria-busy="true" className="space-y-3" {...focusHandlers}>
      <GenerationStatus
        job={job}
        changedAt={generation.changedAt}
        transport={generation.transport}
        cancelling={generation.cancelling}
        onCancel={generation.cancel}
        onRetry={onRetry}
        onDismiss={generation.dismiss}
        className="rounded-lg bg-violet-50/60 px-3 py-2"
      />
      <section
        data-testid="page-streaming"
        aria-label={`Text of page ${pageNumber} as the AI writes it`}
        className={cn(
          "min-h-16 rounded-lg px-3 py-2 -mx-3 font-serif text-[15px] leading-7 whitespace-pre-wrap break-words",
          streamed ? "text-stone-800" : "text-stone-500",
          "empty:before:text-stone-500 empty:before:italic empty:before:content-['The_AI_is_about_to_write…']",
        )}
      >
        {streamed ?? pageContent}
      </section>
    </div>
  );
}
