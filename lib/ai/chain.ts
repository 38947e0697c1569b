import type { LanguageModelV4 } from "@ai-sdk/provider";
import type { Db } from "@/db";
import type { JobStep, JobStepRecord } from "@/db/ai-schema";
import { countStepAttempt, recordJobStep } from "./jobs/ledger";
import { permanentFailure } from "./jobs/job-failure";
import { costUsd, roundCost } from "./pricing";
import { hashPrompt } from "./prompts";
import { type GeneratedText, type GenerateSettings, generateJobText, renderJobPrompt } from "./job-types/steps";

export type { JobStep, JobStepRecord } from "@/db/ai-schema";

/*
 * A job whose workflow chains model calls (ai_jobs.steps): step 1 is the job's own call (its recorded template and
 * payload, one piece or sectioned, run by the usual steps), and each later step renders its own template with its
 * variables and the answer of the step before, then generates and validates again. The job's answer is the last
 * step's; its tokens and cost are every step's. The runner gives each later step an engine step of its own, so a retry
 * of step 2 replays step 1 from the engine's memory instead of asking the model for it again.
 */

/** The later steps of a chained job (none for a one-call job). */
export function chainedSteps(steps: readonly JobStep[] | null | undefined): readonly JobStep[] {
  return steps && steps.length > 1 ? steps.slice(1) : [];
}

/** A step's answer as its engine step records it (JSON): the generated text with when it ended. */
export type StepResult = GeneratedText & { completedAt: string | null };

/** The variables step `index` renders with: its own, and the step before's answer. */
export function stepVariables(step: JobStep, previousText: string): Record<string, unknown> {
  return { ...step.variables, [step.inputVariable ?? "text"]: previousText };
}

/**
 * Runs step `index` (≥ 1) of a running chained job on the answer of the step before (its engine step's result). On
 * its first later step, it records step 1 too, from what the job's own call returned. Counts an attempt; a cancelled
 * job stops here before calling the model (the attempt's status guard) or at the next partial save while it streams.
 */
export async function runChainStep(
  db: Db,
  jobId: string,
  index: number,
  previous: StepResult,
  deps: {
    /** The prompt hash of step 1 (the render step's) and when the job started, for step 1's record. */
    first: { promptHash: string };
    model: (job: { provider: string; model: string; jobType: string }) => LanguageModelV4;
    settings: GenerateSettings;
    validate: (text: string) => Promise<void>;
  },
): Promise<StepResult> {
  const job = await countStepAttempt(db, jobId);
  if (!job) throw permanentFailure("GEN_CANCELLED", "the job is no longer running");
  const step = job.steps?.[index];
  if (!step) throw permanentFailure("INTERNAL", `the job has no step ${index + 1}`);
  if (index === 1 && !job.steps![0]!.record) {
    await recordJobStep(db, jobId, 0, {
      promptHash: deps.first.promptHash,
      inputTokens: previous.inputTokens,
      outputTokens: previous.outputTokens,
      costUsd: previous.costUsd,
      startedAt: job.startedAt?.toISOString() ?? null,
      firstTokenAt: previous.firstTokenAt,
      completedAt: previous.completedAt ?? new Date().toISOString(),
      outputCharacters: previous.text.length,
    });
  }
  const prompt = await renderJobPrompt(
    { id: jobId, templateKey: step.templateKey, templateVersion: step.templateVersion, promptPayload: null },
    stepVariables(step, previous.text),
  );
  const startedAt = new Date().toISOString();
  const result = await generateJobText(db, jobId, { model: deps.model(job), prompt, ...deps.settings });
  await deps.validate(result.text);
  const record: JobStepRecord = {
    promptHash: hashPrompt(prompt),
    inputTokens: result.inputTokens,
    outputTokens: result.outputTokens,
    costUsd: costUsd(job.model, result),
    startedAt,
    firstTokenAt: result.firstTokenAt?.toISOString() ?? null,
    completedAt: new Date().toISOString(),
    outputCharacters: result.text.length,
  };
  await recordJobStep(db, jobId, index, record);
  return {
    text: result.text,
    inputTokens: record.inputTokens,
    outputTokens: record.outputTokens,
    costUsd: record.costUsd,
    firstTokenAt: record.firstTokenAt,
    completedAt: record.completedAt,
  };
}

/** The job's answer from its steps: the last step's text, every step's tokens and cost, the first token's time. */
export function combineSteps(results: readonly StepResult[]): GeneratedText {
  const priced = results.filter((r) => r.costUsd !== null);
  return {
    text: results.at(-1)!.text,
    inputTokens: results.reduce((sum, r) => sum + r.inputTokens, 0),
    outputTokens: results.reduce((sum, r) => sum + r.outputTokens, 0),
    costUsd: priced.length === 0 ? null : roundCost(priced.reduce((sum, r) => sum + r.costUsd!, 0)),
    firstTokenAt: results.find((r) => r.firstTokenAt !== null)?.firstTokenAt ?? null,
  };
}
