"use client";

import { useMemo } from "react";
import { cn } from "@/lib/ui/cn";
import { pluralize } from "@/lib/ui/format";
import { wordDiff } from "@/lib/ui/word-diff";

/**
 * Shows how `after` differs from `before`, word by word: insertions underlined in green, deletions struck through
 * in red. Screen readers hear "inserted" and "deleted" around each change (the <ins>/<del> roles alone are not
 * announced by every reader).
 */
export function WordDiffView({
  before,
  after,
  label,
  testId,
  className,
}: {
  before: string;
  after: string;
  label: string;
  testId?: string;
  className?: string;
}) {
  const diff = useMemo(() => wordDiff(before, after), [before, after]);
  if (!diff) {
    return (
      <p data-testid={testId ? `${testId}-too-large` : undefined} className="text-sm text-stone-600">
        These texts are too different to compare word by word; read them side by side instead.
      </p>
    );
  }
  const unchanged = diff.addedWords === 0 && diff.removedWords === 0;
  return (
    <div className="space-y-1">
      <p data-testid={testId ? `${testId}-summary` : undefined} className="text-xs text-stone-600">
        {unchanged
          ? "No changes."
          : `${pluralize(diff.addedWords, "word")} added · ${pluralize(diff.removedWords, "word")} removed`}
      </p>
      <section
        data-testid={testId}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard to scroll it (axe scrollable-region-focusable, WCAG 2.1.1); it is a named region
        tabIndex={0}
        aria-label={label}
        className={cn(
          "max-h-72 overflow-auto rounded-lg border border-stone-200 bg-white p-3 font-serif text-[15px] leading-7 whitespace-pre-wrap break-words text-stone-800",
          "outline-none focus-visible:ring-2 focus-visible:ring-emerald-600",
          className,
        )}
      >
        {diff.parts.map((part, index) =>
          part.kind === "same" ? (
            // biome-ignore lint/suspicious/noArrayIndexKey: the parts are a fixed sequence for these two texts
            <span key={index}>{part.text}</span>
          ) : part.kind === "added" ? (
            // biome-ignore lint/suspicious/noArrayIndexKey: as above
            <ins key={index} className="bg-emerald-100 text-emerald-950 underline decoration-emerald-600">
              <span className="sr-only">[inserted: </span>
              {part.text}
              <span className="sr-only">]</span>
            </ins>
          ) : (
            // biome-ignore lint/suspicious/noArrayIndexKey: as above
            <del key={index} className="bg-red-100 text-red-900 line-through decoration-red-700">
              <span className="sr-only">[deleted: </span>
              {part.text}
              <span className="sr-only">]</span>
            </del>
          ),
        )}
      </section>
    </div>
  );
}
