import { defineModelJobType } from "@/lib/ai";
import { SUMMARY_JOB_TYPE } from "../job-kinds";
import { landPageSummary, validateSummaryAnswer } from "../summaries/land";

/**
 * A page's summary (prompts/page_summary.liquid, the recorded template and payload): run under the background limit
 * (lib/ai/job-types/kinds.ts), whether it follows an edit or is a child of Summarize all; it lands as the page's
 * current summary only if the page has not changed since and the author has not pinned their own.
 */
export const pageSummarize = defineModelJobType({
  type: SUMMARY_JOB_TYPE,
  validate: validateSummaryAnswer,
  land: (job) => landPageSummary(job),
});
