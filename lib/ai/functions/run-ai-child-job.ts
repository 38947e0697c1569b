import { aiChildJobRequested } from "@/lib/inngest/events/ai-child-job-requested";
import { createRunAiJob, type RunAiJobOptions } from "./run-ai-job";

const DEFAULT_BACKGROUND_CONCURRENCY = 2;

function backgroundConcurrency(env: Record<string, string | undefined> = process.env): number {
  const value = Number(env.AI_BACKGROUND_CONCURRENCY);
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_BACKGROUND_CONCURRENCY;
}

/**
 * Children of fan-out jobs (background revisions, Summarize all) and top-level jobs of background types (the summary
 * after an edit: lib/ai/job-types/kinds.ts) run the same workflow as run-ai-job, as a separate function with
 * its own limit (AI_BACKGROUND_CONCURRENCY across all background work): a large background revision queues behind
 * itself and never takes the slots the editor's Generate uses. Each of its steps also gives way to the foreground jobs of
 * this process for a moment (lib/ai/jobs/foreground.ts): the slots are separate, the CPU is not.
 */
export function createRunAiChildJob(options: Omit<RunAiJobOptions, "event" | "functionId"> = {}) {
  return createRunAiJob({
    ...options,
    functionId: "run-ai-child-job",
    event: aiChildJobRequested,
    globalConcurrency: options.globalConcurrency ?? backgroundConcurrency(),
    background: options.background ?? {},
  });
}
