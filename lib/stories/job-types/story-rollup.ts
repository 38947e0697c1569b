import { defineModelJobType } from "@/lib/ai";
import { ROLLUP_JOB_TYPE } from "../job-kinds";
import { landRollup, validateRollupAnswer } from "../rollups/land";

/**
 * A roll-up of a run of pages (prompts/story_rollup.liquid, the recorded template and payload): a background job
 * (lib/ai/job-types/kinds.ts) like a page summary; it lands as the run's roll-up only if the summaries under the run
 * have not changed since it was asked for.
 */
export const storyRollup = defineModelJobType({
  type: ROLLUP_JOB_TYPE,
  validate: validateRollupAnswer,
  land: (job) => landRollup(job),
});
