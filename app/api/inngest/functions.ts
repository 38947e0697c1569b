import type { InngestFunction } from "inngest";
import { createRunAiJob } from "@/lib/ai/functions/run-ai-job";
import { createRunAiChildJob } from "@/lib/ai/functions/run-ai-child-job";
import { settleFanOutParentOnFailure } from "@/lib/ai/functions/settle-fan-out-parent";
import { createSweepPendingJobs } from "@/lib/ai/functions/sweep-pending-jobs";
import { createJobTypeRegistry } from "@/lib/ai/job-types";
import { applyPageJobResultFunction } from "@/lib/stories/functions/apply-page-job-result";
import { reviseStoryPagesFunction } from "@/lib/stories/functions/revise-story-pages";
import { storyJobTypes } from "@/lib/stories/job-types";
import { budgetRefusalForChild } from "@/lib/stories/spending-policy";

/** Every job type the app runs: the generic runners look up each job's own steps here. */
const jobTypes = createJobTypeRegistry(storyJobTypes);

/**
 * Every Inngest function the app serves. The list lives at the app layer because it composes both sides:
 * AI infrastructure (lib/ai) and the domain's job types and reactions to them (lib/stories). Functions use only the
 * public SDK; docs/ENGINE.md lists what the embedded engine supports.
 */
export const functions: InngestFunction.Any[] = [
  createRunAiJob({ jobTypes }),
  createSweepPendingJobs(),
  // Landing of page jobs (page_text.write, page_text.revise) as revisions or suggestions.
  applyPageJobResultFunction,
  // Background revisions: fan-out parent, its children's runner (own concurrency limit), parent settling.
  reviseStoryPagesFunction,
  createRunAiChildJob({ jobTypes, admit: budgetRefusalForChild }),
  settleFanOutParentOnFailure,
];
