import { defineFanOutJobType, defineModelJobType } from "@/lib/ai";
import { TRANSLATE_PAGE_JOB_TYPE, TRANSLATE_STORY_JOB_TYPE } from "../job-kinds";
import { landPageTranslation, validateTranslation } from "../translations/land";
import { planTranslation } from "../translations/plan";

/**
 * A translation run: one `page.translate` child per stale page of the translation (planned from the source as it is
 * when the run starts); the run ends with its last page.
 */
export const translateStoryPages = defineFanOutJobType({
  type: TRANSLATE_STORY_JOB_TYPE,
  functionId: "translate-story",
  plan: planTranslation,
});

/**
 * One page's translation (prompts/page_translate.liquid, always a sectioned payload: the runner translates it section
 * by section and joins the sections); lands in the page, or as a suggestion when the page was edited by hand.
 */
export const pageTranslate = defineModelJobType({
  type: TRANSLATE_PAGE_JOB_TYPE,
  validate: validateTranslation,
  land: landPageTranslation,
});
