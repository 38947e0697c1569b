import { defineFanOutJobType } from "@/lib/ai";
import { SUMMARIZE_ALL_JOB_TYPE } from "../job-kinds";
import { planSummarizeAll } from "../summaries/summarize-all";

/** Summarize all: one `page.summarize` child per page whose summary is missing or stale (pinned ones are kept). */
export const summarizeStoryPages = defineFanOutJobType({
  type: SUMMARIZE_ALL_JOB_TYPE,
  functionId: "summarize-story-pages",
  plan: planSummarizeAll,
});
