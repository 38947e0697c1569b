import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db";
import { type AiJob, aiJobs } from "@/db/ai-schema";
import type { ModelJobType } from "../job-types/definition";
import { renderJobPrompt } from "../job-types/steps";
import {
  findModel,
  inputBudgetFor,
  type ModelEntry,
  type ModelRegistry,
  modelChain,
  modelRegistry,
} from "../model-registry";
import { type ModelChoice, taskOfJobType } from "../models";
import { hashPrompt } from "../prompts";
import { countTokens } from "../tokens";
import type { GenerationError } from "../generation-errors";

/*
 * Fallback along a model's chain (lib/ai/model-registry.ts `fallbacks`): when a provider stays unavailable after its
 * retries, the job moves on to the next model of the chain of the model it was requested with. The job row records
 * every model given up on and why (ai_jobs.model_fallbacks); `model` then names the model that writes the text. A
 * model whose context is too small for the prompt gets the prompt assembled again for it by the job type
 * (`reassemble`); a job type that cannot skips that model, and the skip is recorded too.
 */

export interface ModelFallback {
  from: string;
  to: string | null;
  code: string;
  reason: string;
  at: string;
}

/** Codes that mean the provider did not answer, as opposed to a refusal or a bug of ours (INTERNAL). */
const UNAVAILABLE = new Set(["GEN_PROVIDER_UNAVAILABLE", "GEN_TIMEOUT", "GEN_RATE_LIMITED", "RATE_LIMITED"]);

export function fallsBack(error: GenerationError): boolean {
  return error.retriable && UNAVAILABLE.has(error.code);
}

/** The models left to try after `job.model`: the rest of the chain of the model the job was requested with. */
export function remainingModels(
  job: Pick<AiJob, "model" | "modelFallbacks">,
  registry: ModelRegistry = modelRegistry(),
): ModelEntry[] {
  const tried = [...(job.modelFallbacks as ModelFallback[]).map((f) => f.from), job.model];
  const first = findModel(registry, tried[0]!);
  if (!first) return [];
  return modelChain(first, registry).filter((m) => !tried.includes(m.id));
}

export interface FallbackDeps {
  definition?: ModelJobType;
  /** The model a job runs on (the runner's choice function). */
  choose: (job: { provider: string; model: string; jobType: string }) => ModelChoice;
}

/**
 * Moves a running job to the next model of its chain, inside the step whose last attempt just failed with `error`.
 * The prompt is rendered again for it (assembled again first when it does not fit its budget) and stored; the
 * partial text of the failed model is dropped. Returns the new model's id, or null when no model is left (the
 * caller then fails the job with `error`).
 */
export async function fallBack(
  db: Db,
  jobId: string,
  error: GenerationError,
  deps: FallbackDeps,
): Promise<string | null> {
  const [job] = await db.select().from(aiJobs).where(eq(aiJobs.id, jobId));
  if (job?.status !== "running") return null;
  const registry = modelRegistry();
  const records: ModelFallback[] = [];
  let from = job.model;
  let reason = `${error.code}: ${error.message}`;
  for (const next of remainingModels(job, registry)) {
    const at = new Date().toISOString();
    const task = taskOfJobType(job.jobType);
    const choice = deps.choose({ provider: next.provider, model: next.id, jobType: job.jobType });
    const budget = inputBudgetFor(next, task, registry);
    let payload = job.promptPayload;
    let leftOut = job.contextLeftOut;
    let prompt = job.renderedPrompt ?? (await renderJobPrompt(job));
    if (countTokens(prompt) > budget) {
      const reassembled = deps.definition?.reassemble ? await deps.definition.reassemble(job, choice) : null;
      if (!reassembled) {
        records.push({ from, to: next.id, code: error.code, reason, at });
        from = next.id;
        reason = `the prompt does not fit ${next.id}'s budget of ${budget} tokens`;
        continue;
      }
      payload = reassembled.promptPayload;
      leftOut = reassembled.contextLeftOut;
      const toRender = { ...job, promptPayload: payload };
      prompt = deps.definition?.render ? await deps.definition.render(toRender) : await renderJobPrompt(toRender);
    }
    records.push({ from, to: next.id, code: error.code, reason, at });
    const [moved] = await db
      .update(aiJobs)
      .set({
        model: next.id,
        provider: next.provider,
        modelFallbacks: sql`${aiJobs.modelFallbacks} || ${JSON.stringify(records)}::jsonb`,
        promptPayload: payload,
        contextLeftOut: leftOut,
        renderedPrompt: prompt,
        promptHash: hashPrompt(prompt),
        partialText: null,
        retryCode: null,
        retryAt: null,
        updatedAt: new Date(),
      })
      .where(and(eq(aiJobs.id, jobId), eq(aiJobs.status, "running")))
      .returning({ id: aiJobs.id });
    return moved ? next.id : null;
  }
  if (records.length > 0) {
    // Every model left was skipped: the record says why, and the job fails with the first model's error.
    records.push({ from, to: null, code: error.code, reason, at: new Date().toISOString() });
    await db
      .update(aiJobs)
      .set({ modelFallbacks: sql`${aiJobs.modelFallbacks} || ${JSON.stringify(records)}::jsonb` })
      .where(and(eq(aiJobs.id, jobId), eq(aiJobs.status, "running")));
  }
  return null;
}
