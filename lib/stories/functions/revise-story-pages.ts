import { createFanOutJob } from "@/lib/ai/functions/fan-out-job";
import { planBackgroundRevision } from "../background/plan";
import { BACKGROUND_JOB_TYPE } from "../job-kinds";

/** Background revisions: the generic fan-out, with the pages' revise jobs built by the domain. */
export const reviseStoryPagesFunction = createFanOutJob({
  functionId: "revise-story-pages",
  jobType: BACKGROUND_JOB_TYPE,
  plan: planBackgroundRevision,
});
