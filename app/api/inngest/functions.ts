import type { InngestFunction } from "inngest";
import { createRunAiJob } from "@/lib/ai/functions/run-ai-job";
import { createRunAiChildJob } from "@/lib/ai/functions/run-ai-child-job";
import { settleFanOutParentOnFailure } from "@/lib/ai/functions/settle-fan-out-parent";
import { createSweepPendingJobs } from "@/lib/ai/functions/sweep-pending-jobs";
import { applyPageJobResultFunction } from "@/lib/stories/functions/apply-page-job-result";
import { reviseStoryPagesFunction } from "@/lib/stories/functions/revise-story-pages";
import { budgetRefusalForChild } from "@/lib/stories/spending-policy";

/**
 * Every Inngest function the app serves. The list lives at the app layer because it composes both sides:
 * AI infrastructure (lib/ai) and the domain's reactions to it (lib/stories). Functions use only the public SDK;
 * docs/ENGINE.md lists what the embedded engine supports.
 */
export const functions: InngestFunction.Any[] = [
  createRunAiJob(),
  createSweepPendingJobs(),
  applyPageJobResultFunction,
  // Background revisions: fan-out parent, its children's runner (own concurrency limit), parent settling.
  reviseStoryPagesFunction,
  createRunAiChildJob({ admit: budgetRefusalForChild }),
  settleFanOutParentOnFailure,
];
