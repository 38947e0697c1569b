/** How the domain's jobs are addressed in the job ledger: what they work on (target) and whose they are (scope). */
export const PAGE_TARGET = "page";
export const STORY_TARGET = "story";
export const STORY_SCOPE = "story";
/** A background revision: a parent job on a story with one `page_text.revise` child per selected page. */
export const BACKGROUND_JOB_TYPE = "story.revise_pages" as const;

/** How a job's model is named to authors. */
export function modelLabel(provider: string, model: string): string {
  return provider === "offline" ? "offline model" : model;
}
