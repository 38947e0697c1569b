import { inngest } from "@/lib/inngest/client";
import { summarizeAfterEdit } from "../summaries/schedule";
import { resumeWaitingSummaries } from "../summaries/waits";

/**
 * Summaries that waited because their payer's spending budget was used up are written once it allows again: every
 * five minutes, each waiting page goes through the after-edit path (which submits its job if it still needs one).
 * Budgets reset daily, so a few minutes' delay costs nothing and the sweep stays cheap.
 */
export const resumeWaitingSummariesFunction = inngest.createFunction(
  {
    id: "resume-waiting-summaries",
    name: "Write summaries that waited for budget",
    triggers: [{ cron: "*/5 * * * *" }],
    retries: 1,
  },
  async ({ step }) => step.run("resume", () => resumeWaitingSummaries(summarizeAfterEdit)),
);
