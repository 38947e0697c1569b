import { defineFanOutJobType } from "@/lib/ai";
import { planBackgroundRevision } from "../background/plan";
import { BACKGROUND_JOB_TYPE } from "../job-kinds";

/**
 * A background revision: one `page_text.revise` child per selected page (planned from the story as it is when the
 * revision runs), each landing as a suggestion; the revision ends with its last page.
 */
export const reviseStoryPages = defineFanOutJobType({
  type: BACKGROUND_JOB_TYPE,
  functionId: "revise-story-pages",
  plan: planBackgroundRevision,
});
