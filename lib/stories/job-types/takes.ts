import { defineFanOutJobType, defineModelJobType, GenerationError } from "@/lib/ai";
import { limits } from "../limits";
import { TAKE_JOB_TYPE, TAKES_JOB_TYPE } from "../job-kinds";
import { planTakes } from "../takes/plan";

/**
 * A take set: one `page_text.take` child per take (recorded with the request, so the plan finds them), run side by
 * side under AI_CONCURRENCY like Generate (lib/ai/job-types/kinds.ts, foregroundChildJobTypes); the set ends when
 * its last take has, and then waits for the author's choice (lib/stories/takes/choose.ts).
 */
export const pageTextTakes = defineFanOutJobType({
  type: TAKES_JOB_TYPE,
  functionId: "page-text-takes",
  plan: planTakes,
});

/**
 * One take: the page's Generate prompt with the take's own sampling (ai_jobs.sampling). Its text lands nowhere when
 * it finishes: it waits in the ledger until the author chooses it (then it lands like Generate) or another take
 * (then it is discarded).
 */
export const pageTextTake = defineModelJobType({
  type: TAKE_JOB_TYPE,
  validate: (text) => {
    if (text.length > limits.pageMax)
      throw new GenerationError(
        "GEN_CONSTRAINT_FAIL",
        `the answer has ${text.length} characters; a page holds at most ${limits.pageMax}`,
        false,
      );
  },
  land: async () => "held",
});
