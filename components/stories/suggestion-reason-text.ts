import type { SuggestionReason } from "@/db/suggestions-schema";

/** Why AI text waits as a suggestion, in the author's words: the panel, the job status and the notification. */
export function suggestionReasonText(reason: SuggestionReason | null | undefined): string {
  switch (reason) {
    case "background":
      return "From the background revision: nothing was written into the page.";
    case "review":
      return "This job was started by someone who does not edit this story (an admin's retry or an API request), so its text waits for you instead of changing the page.";
    default:
      return "The page changed while the AI was working, so nothing was overwritten.";
  }
}

export const UNCHANGED_TEXT = "The AI gave back the page's text unchanged: there was nothing to write.";
