"use client";

import { undoPageJobAction } from "@/app/actions/generation";
import { useToast } from "@/components/ui/toast";
import { callAction } from "@/lib/ui/call-action";
import { useLatest } from "@/lib/ui/use-latest";
import { toPageData, type PageData } from "./types";

/**
 * Undo of an AI job's text (offered by the toast after the AI wrote a page or a suggestion was applied). The server
 * refuses when the page was edited since, so Undo never throws away the author's own later words.
 */
export function useUndoPageJob({ pageNumber, onChanged }: { pageNumber: number; onChanged: (page: PageData) => void }) {
  const toast = useToast();
  // The toast outlives the render that showed it: the page may have moved since.
  const latestNumber = useLatest(pageNumber);

  return async function undo(jobId: string) {
    const result = await callAction(() => undoPageJobAction({ jobId }));
    const number = latestNumber.current;
    if (!result.ok) {
      toast.error(
        result.error.code === "CONFLICT"
          ? `Page ${number} was edited after the AI wrote it, so Undo would overwrite that edit. Open its history to bring back any earlier version.`
          : result.error.message,
      );
      return;
    }
    onChanged(toPageData(result.data));
    toast.success(`Page ${number} is back to its text from before the AI.`);
  };
}
