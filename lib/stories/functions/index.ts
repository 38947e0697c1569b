import type { InngestFunction } from "inngest";
import {
  createJobTypeRegistry,
  createRunAiChildJob,
  createRunAiJob,
  createSweepPendingJobs,
  settleFanOutParentOnFailure,
} from "@/lib/ai";
import { storyJobTypes } from "../job-types";
import { budgetRefusalForChild } from "../spending-policy";
import { applyPageJobResultFunction } from "./apply-page-job-result";
import { importStoryFunction } from "./import-story";
import { createIllustratePage } from "./illustrate-page";
import { purgeIllustrationAttemptsFunction } from "./purge-illustration-attempts";
import { resumeWaitingSummariesFunction } from "./resume-waiting-summaries";
import { reviseStoryPagesFunction } from "./revise-story-pages";
import { sweepStaleImportsFunction } from "./sweep-stale-imports";
import { suggestCodexFunction } from "./suggest-codex";
import { createRollupStory } from "./rollup-story";
import { createSummarizePageAfterEdit } from "./summarize-page-after-edit";
import { summarizeStoryPagesFunction } from "./summarize-story-pages";
import { translateStoryFunction } from "./translate-story";
import { pageTextTakesFunction } from "./page-text-takes";

/**
 * Every Inngest function the app serves: the generic runners of lib/ai, given the story job types (each job's own
 * steps), and the domain's reactions to them. Built on first call, so importing the domain registers nothing.
 * Functions use only the public SDK; docs/ENGINE.md lists what the embedded engine supports.
 */
export function storyInngestFunctions(): InngestFunction.Any[] {
  const jobTypes = createJobTypeRegistry(storyJobTypes);
  return [
    createRunAiJob({ jobTypes }),
    createSweepPendingJobs(),
    // Landing of every model job type (a page's text as a revision or a suggestion; a page's summary).
    applyPageJobResultFunction,
    // Background revisions: fan-out parent, its children's runner (own concurrency limit), parent settling.
    reviseStoryPagesFunction,
    createRunAiChildJob({ jobTypes, admit: budgetRefusalForChild }),
    settleFanOutParentOnFailure,
    // Suggest entries (story codex): fan-out of one batch job per group of pages; children run and land as above.
    suggestCodexFunction,
    // Page summaries: debounced after each edit, and Summarize all (children run in the background runner above).
    createSummarizePageAfterEdit(),
    summarizeStoryPagesFunction,
    // Roll-ups of runs of pages: debounced per story after its summaries change; each landing asks for the next level.
    createRollupStory(),
    // Takes: the set's fan-out; its takes run in run-ai-job beside Generate and wait for the author's choice.
    pageTextTakesFunction,
    // Summaries skipped for a spent budget are written once the payer's budget allows again.
    resumeWaitingSummariesFunction,
    // Manuscript imports: stage, publish in one short transaction, then the pages' summaries as after an edit.
    importStoryFunction,
    // …and the imports whose function died, ended as failed so that their authors are told to import again.
    sweepStaleImportsFunction,
    // Translations: fan-out of one page translation per stale page (children run and land as above).
    translateStoryFunction,
    // Page illustrations: scene, prompt, image, storage (its own target: never in the way of Generate).
    createIllustratePage(),
    // Attempts nobody chose go after ILLUSTRATION_ATTEMPT_RETENTION_DAYS (bytes and row; the ledger stays).
    purgeIllustrationAttemptsFunction,
  ];
}
