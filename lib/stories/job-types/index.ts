import type { JobTypeDefinition } from "@/lib/ai";
import { pageTextRevise, pageTextWrite } from "./page-text";
import { reviseStoryPages } from "./revise-pages";
import { codexSuggest } from "./codex-suggest";
import { suggestCodex } from "./suggest-codex";
import { pageSummarize } from "./page-summary";
import { summarizeStoryPages } from "./summarize-pages";
import { storyRollup } from "./story-rollup";
import { pageTranslate, translateStoryPages } from "./translate";
import { pageTextTake, pageTextTakes } from "./takes";

/** The job types of stories (lib/ai/job-types explains how to add one): listed once; every model type lands through lib/stories/functions/apply-page-job-result.ts. */
export const storyJobTypes: readonly JobTypeDefinition[] = [
  pageTextWrite,
  pageTextRevise,
  reviseStoryPages,
  // Suggest entries for the story codex.
  suggestCodex,
  codexSuggest,
  // Page summaries.
  pageSummarize,
  summarizeStoryPages,
  // Roll-ups of runs of pages, written from their summaries.
  storyRollup,
  // Translations: a run over a translation's stale pages, one page's translation per child.
  translateStoryPages,
  pageTranslate,
  // Takes: several texts of one page request, side by side; the author chooses one.
  pageTextTakes,
  pageTextTake,
];

export { pageTextRevise, pageTextWrite, reviseStoryPages };
export { codexSuggest, suggestCodex };
export { pageSummarize, storyRollup, summarizeStoryPages };
export { pageTranslate, translateStoryPages };
export { pageTextTake, pageTextTakes };
