/** How the domain's jobs are addressed in the job ledger: what they work on (target) and whose they are (scope). */
export const PAGE_TARGET = "page";
export const STORY_TARGET = "story";
export const STORY_SCOPE = "story";
/** A background revision: a parent job on a story with one `page_text.revise` child per selected page. */
export const BACKGROUND_JOB_TYPE = "story.revise_pages" as const;

/** The jobs that are a page's own Generate (write or revise): a take set shares their target but not their views. */
export function isPageTextJob(job: { targetType: string; jobType: string }): boolean {
  return job.targetType === PAGE_TARGET && (job.jobType === "page_text.write" || job.jobType === "page_text.revise");
}

/** How a job's model is named to authors. */
export function modelLabel(provider: string, model: string): string {
  return provider === "offline" ? "offline model" : model;
}
/**
 * Suggest entries: a parent job on a story's codex (target "codex" + the story id, so it never waits behind a page
 * revision of the same story) with one `codex.suggest` child per batch of pages (target "codex_batch" + the batch's
 * first page: never a page's own target, so a batch never blocks Generate on that page).
 */
export const SUGGEST_CODEX_JOB_TYPE = "story.suggest_codex" as const;
export const CODEX_SUGGEST_JOB_TYPE = "codex.suggest" as const;
export const CODEX_TARGET = "codex";
export const CODEX_BATCH_TARGET = "codex_batch";

/**
 * Page summaries: a `page.summarize` job's target is the page's summary (its id is the page's), so that the one
 * active job per target never makes a summary and the page's own text job wait for each other. Summarize all is one
 * `story.summarize_pages` parent per story, on its own target for the same reason (a background revision is "story").
 */
export const SUMMARY_TARGET = "page_summary";
export const SUMMARIES_TARGET = "story_summaries";
export const SUMMARY_JOB_TYPE = "page.summarize" as const;
export const SUMMARIZE_ALL_JOB_TYPE = "story.summarize_pages" as const;

/**
 * Roll-ups: one `story.rollup` job per run of pages (lib/ai/context/rollups.ts); its target is the run (an id derived
 * from the story and the run, which is also the stored roll-up's id), so runs are written side by side and never wait
 * for a page's jobs.
 */
export const ROLLUP_TARGET = "story_rollup";
export const ROLLUP_JOB_TYPE = "story.rollup" as const;

/**
 * Translations: one `story.translate` parent per run on its translation (target "story_translation" + the
 * translation's story id, so it never waits behind a background revision of that story) with one `page.translate`
 * child per stale page, whose target is the translation's page (PAGE_TARGET): the page's one text job at a time.
 */
export const TRANSLATION_TARGET = "story_translation";
export const TRANSLATE_STORY_JOB_TYPE = "story.translate" as const;
export const TRANSLATE_PAGE_JOB_TYPE = "page.translate" as const;
export const TRANSLATE_TEMPLATE_KEY = "page_translate";

/**
 * Takes: a take set is one text job on its page (`page_text.takes`, target the page, so it is the page's one active
 * text job while its takes are written) with one `page_text.take` child per take (target "page_take" + the take's
 * own id, so the takes run side by side and none blocks the page). Takes wait for the author's choice.
 */
export const TAKES_JOB_TYPE = "page_text.takes" as const;
export const TAKE_JOB_TYPE = "page_text.take" as const;
export const TAKE_TARGET = "page_take";

/**
 * Illustrations: a `page.illustrate` job's target is the page's illustration (its id is the page's), so drawing never
 * waits for the page's text job nor blocks Generate; its scene description is a `page.describe_scene` child on the
 * page's scene target, a ledger row of that one model call.
 */
export const ILLUSTRATION_TARGET = "page_illustration";
export const ILLUSTRATE_JOB_TYPE = "page.illustrate" as const;
export const SCENE_TARGET = "page_scene";
export const SCENE_JOB_TYPE = "page.describe_scene" as const;
