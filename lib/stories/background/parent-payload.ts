/**
 * Background revisions: the author picks pages of a story and one instruction; a parent job (`story.revise_pages`,
 * target = the story) fans out one `page_text.revise` child per page (lib/ai/functions/fan-out-job.ts), run under
 * AI_BACKGROUND_CONCURRENCY. Every child's text lands as a suggestion on its page — never written directly — and
 * the author reviews them one by one or with Apply all / Discard all (lib/stories/suggestions/).
 *
 * This file: what the parent job records about its request; the fan-out adds `skipped`.
 */
export interface ParentPayload {
  pageIds: string[];
  skipped?: { targetId: string; reason: string }[];
}

export type SkipReason = "busy" | "blank" | "deleted" | "too-long";
