"use client";

import { FileClock } from "lucide-react";
import { Button } from "@/components/ui/button";
import { RelativeTime } from "@/components/ui/relative-time";
import type { PageDraft } from "@/lib/ui/page-drafts";

/** Text typed on this page earlier and never saved (a reload, a crashed tab, a failed save): restore or discard. */
export function UnsavedDraftNotice({
  draft,
  pageNumber,
  onRestore,
  onDiscard,
}: {
  draft: PageDraft;
  pageNumber: number;
  onRestore: () => void;
  onDiscard: () => void;
}) {
  return (
    <section
      data-testid="unsaved-draft"
      aria-label={`Unsaved draft of page ${pageNumber}`}
      className="mb-3 flex flex-wrap items-center gap-x-3 gap-y-2 rounded-xl border border-sky-200 bg-sky-50 px-3 py-2 text-sm text-sky-950"
    >
      <FileClock aria-hidden="true" className="size-4 shrink-0 text-sky-700" />
      <p className="min-w-0 flex-1">
        Unsaved draft from <RelativeTime date={draft.savedAt} /> ({draft.content.length.toLocaleString()} characters).
      </p>
      <div className="flex gap-2">
        <Button data-testid="unsaved-draft-restore" size="sm" variant="primary" onClick={onRestore}>
          Restore
        </Button>
        <Button data-testid="unsaved-draft-discard" size="sm" variant="ghost" onClick={onDiscard}>
          Discard
        </Button>
      </div>
    </section>
  );
}
