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
  /** What each page's job does; absent (older revisions) = "revise". */
  workflow?: BackgroundWorkflow;
  skipped?: { targetId: string; reason: string }[];
}

/**
 * `revise`: one model call per page. `revise_proofread`: one job per page whose workflow chains two recorded steps,
 * the revision, then a proofreading of the revised text (lib/ai/chain.ts).
 */
export const backgroundWorkflows = ["revise", "revise_proofread"] as const;
export type BackgroundWorkflow = (typeof backgroundWorkflows)[number];

export type SkipReason = "busy" | "blank" | "deleted" | "too-long";
