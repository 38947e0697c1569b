import { getDb } from "@/db";
import { inngest } from "@/lib/inngest/client";
import type { aiChildJobRequested } from "@/lib/inngest/events/ai-child-job-requested";
import { aiJobCancelRequested } from "@/lib/inngest/events/ai-job-cancel-requested";
import { aiJobFailed } from "@/lib/inngest/events/ai-job-failed";
import { aiJobRequested } from "@/lib/inngest/events/ai-job-requested";
import { log } from "@/lib/log";
import {
  chainedSteps,
  chainStepSections,
  combineChainParts,
  combineSteps,
  runChainStep,
  type StepResult,
} from "../chain";
import { aiConcurrency } from "../concurrency";
import { GenerationError, toGenerationError } from "../generation-errors";
import type { JobAdmitter } from "../job-types/definition";
import type { JobTypeRegistry } from "../job-types/registry";
import { combineSections, generateSection, renderSectionPrompts, type SectionResult } from "../job-types/sections";
import {
  finishJob,
  type GeneratedText,
  generateJobText,
  renderJobPrompt,
  startJob,
  validateJobText,
} from "../job-types/steps";
import { fallBack, fallsBack } from "../jobs/fallback";
import { backgroundYieldMs, foregroundJobEnded, inForegroundStep, yieldToForeground } from "../jobs/foreground";
import { generationCacheKey, recordPromptAndFindCached } from "../jobs/generation-cache";
import { startRenderedAttempt } from "../jobs/prerender";
import { AI_JOB_RETRIES, describeFailure, failAttempt, permanentFailure, toStepError } from "../jobs/job-failure";
import { ONE_RUN_PER_JOB } from "../jobs/queue";
import {
  addAttemptUsage,
  countAttempt,
  getJob,
  markFailed,
  markResumed,
  recordRenderedPrompt,
  startOver,
} from "../jobs/ledger";
import { publishJobUpdate } from "../jobs/live";
import { modelForJob, type ModelChoice } from "../models";
import { costUsd } from "../pricing";
import { hashPrompt } from "../prompts";
import { isSectionedPayload } from "../sections";
import { countTokens } from "../tokens";
import { CONTINUE_INSTRUCTION, planResume } from "../workflows/continuation";
import { InterruptedGenerationError } from "../workflows/stream-generation";

export type { JobRefusal } from "../job-types/definition";

export interface RunAiJobOptions {
  /** Picks the model for a job; the default is the registry entry the job recorded (lib/ai/model-registry.ts). */
  model?: (job: { provider: string; model: string; jobType: string }) => ModelChoice;
  /** The job types' own render and validate; a type not listed (or no registry) uses the shared steps alone. */
  jobTypes?: JobTypeRegistry;
  stallTimeoutMs?: number;
  totalTimeoutMs?: number;
  flushIntervalMs?: number;
  /** The answer's output allowance (none: the provider's default); a resumed attempt gets what is left of it. */
  maxOutputTokens?: number;
  /** Shorter partial text is thrown away rather than continued (default RESUME_MIN_PARTIAL_TOKENS). */
  resumeMinPartialTokens?: number;
  globalConcurrency?: number;
  functionId?: string;
  /** Trigger event; background children run the same workflow from their own event, under their own limit. */
  event?: typeof aiJobRequested | typeof aiChildJobRequested;
  /**
   * `background`: each step first gives way to the foreground jobs of this process (lib/ai/jobs/foreground.ts), for
   * at most this many milliseconds (default AI_BACKGROUND_YIELD_MS). A foreground runner's steps mark them busy.
   */
  background?: { yieldMs?: number };
  /** Asked before a job starts (lib/ai/job-types/definition.ts); a refusal fails the job for good with its code. */
  admit?: JobAdmitter;
}

const RETRIES = AI_JOB_RETRIES;
/** A chain is at most this long: a guard against a loop, never reached by a valid registry's chain. */
const MAX_FALLBACKS = 10;

function envNumber(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/**
 * run-ai-job, the runner of every model job type: render (marks the job running, renders its prompt into the job's
 * row) → generate (streamed, then validated; counts an attempt each time it runs) → finish (stores the result, lands
 * it through its job type, announces ai/job.succeeded). Three engine round trips on the critical path, and no second
 * function run to land the result; a text revised section by section (a page too
 * long for one prompt) takes one generate step per section instead. Every side effect is in a step and every step is
 * safe to repeat (ledger writes are guarded by status, the announcement has a fixed event id). A failure a step
 * anticipated is recorded with its code by that step once no retry follows; onFailure marks whatever else ended the
 * run as INTERNAL and announces the failure (lib/ai/jobs/job-failure.ts says why the code does not travel in the
 * error).
 */
export function createRunAiJob(options: RunAiJobOptions = {}) {
  const chooseModel = options.model ?? ((job) => modelForJob(job));
  const settings = {
    stallTimeoutMs: options.stallTimeoutMs ?? envNumber("AI_STALL_TIMEOUT_MS", 30_000),
    totalTimeoutMs: options.totalTimeoutMs ?? envNumber("AI_TIMEOUT_MS", 180_000),
    flushIntervalMs: options.flushIntervalMs ?? 200,
    maxOutputTokens: options.maxOutputTokens,
  };

  return inngest.createFunction(
    {
      id: options.functionId ?? "run-ai-job",
      name: "Run AI job",
      triggers: [options.event ?? aiJobRequested],
      retries: RETRIES,
      // One run per job, whichever event (first send, sweeper re-send) carries it.
      idempotency: ONE_RUN_PER_JOB,
      concurrency: [{ key: "event.data.targetId", limit: 1 }, { limit: options.globalConcurrency ?? aiConcurrency() }],
      cancelOn: [{ event: aiJobCancelRequested.name, if: "event.data.jobId == async.data.jobId" }],
      onFailure: async ({ event, error, step }) => {
        const original = event.data.event.data;
        const { jobId } = original;
        foregroundJobEnded(jobId);
        await step.run("mark-failed", async () => {
          const db = await getDb();
          // A failure a step anticipated is already recorded with its code; anything else is a bug of ours.
          const marked = await markFailed(db, jobId, "INTERNAL", describeFailure(error));
          const job = marked ?? (await getJob(db, jobId));
          publishJobUpdate({ jobId, status: job?.status ?? "failed" });
          log("warn", "ai job failed", { jobId, code: job?.errorCode ?? null, detail: job?.errorMessage ?? null });
          return job?.status ?? null;
        });
        // Fan-out parents count their children's outcomes (lib/ai/functions/settle-fan-out-parent.ts).
        await step.sendEvent(
          "announce-failure",
          aiJobFailed.create({
            jobId,
            jobType: original.jobType,
            targetType: original.targetType,
            targetId: original.targetId,
            parentJobId: original.parentJobId,
          }),
        );
      },
    },
    async ({ event, step, attempt, maxAttempts }) => {
      // Children arrive with their parent in the event; passing it on spares the landing a parent lookup.
      const ref = event.data;
      const { jobId } = ref;
      // A foreground job's steps keep background steps waiting; a background job's steps wait for them first.
      const background = options.background;
      const paced = <T>(work: () => Promise<T>): (() => Promise<T>) =>
        background
          ? async () => {
              await yieldToForeground(background.yieldMs ?? backgroundYieldMs());
              return work();
            }
          : () => inForegroundStep(jobId, work);
      // A failed attempt at one part of a job (a section, a chained step): logged with the part, recorded on the job.
      const failPartAttempt = async (db: Awaited<ReturnType<typeof getDb>>, error: unknown, part: object) => {
        const generationError = toGenerationError(error);
        log("warn", "ai generation attempt failed", {
          jobId,
          ...part,
          code: generationError.code,
          detail: generationError.message,
        });
        return failAttempt(db, jobId, generationError, { attempt, maxAttempts }, RETRIES);
      };
      const ended = <T>(result: T): T => {
        if (!background) foregroundJobEnded(jobId);
        return result;
      };

      // A job rendered when it was requested (lib/ai/jobs/prerender.ts) starts with generate, which also starts it.
      // Not with a runner whose own render, admission or output allowance the request could not know of.
      const prerendered =
        "prerendered" in ref &&
        ref.prerendered === true &&
        !options.admit &&
        settings.maxOutputTokens === undefined &&
        !options.jobTypes?.model(ref.jobType)?.render;

      // Start and render are one step: each step is a round trip to the engine, and the running job's row is all
      // rendering needs.
      const rendered = prerendered
        ? { promptHash: null, sections: 0, chain: [] as string[] }
        : await step.run(
            "render",
            paced(async () => {
              const db = await getDb();
              try {
                const job = await startJob(db, jobId, options.admit);
                if (!job) return null;
                if (isSectionedPayload(job.promptPayload)) {
                  // A text revised section by section: every section's prompt renders now (a template that cannot fails
                  // before any call), each section step renders its own again; the hash covers them all, in order.
                  const prompts = await renderSectionPrompts({ ...job, promptPayload: job.promptPayload });
                  const promptHash = hashPrompt(prompts.join("\n"));
                  await recordRenderedPrompt(db, jobId, promptHash);
                  return { promptHash, sections: prompts.length, chain: chainedSteps(job.steps).map((s) => s.name) };
                }
                const render = options.jobTypes?.model(ref.jobType)?.render ?? renderJobPrompt;
                const prompt = await render(job);
                const promptHash = hashPrompt(prompt);
                // The generation cache (lib/ai/jobs/generation-cache.ts): an identical request of this story and requester
                // within the TTL is answered with the earlier text, finished here — no model call, no cost, no more steps.
                const cacheKey = generationCacheKey({
                  jobType: job.jobType,
                  templateKey: job.templateKey,
                  templateVersion: job.templateVersion,
                  prompt,
                  provider: job.provider,
                  model: job.model,
                  sampling: { maxOutputTokens: settings.maxOutputTokens ?? null },
                });
                // A child of a fan-out (a page of a background revision) is never answered from the cache: its parent was
                // admitted and planned as model calls, and its siblings' outcomes are counted as such. Nor is a chained
                // job: the key is its first step's prompt, not its answer's.
                const chain = chainedSteps(job.steps).map((s) => s.name);
                // The prompt goes to the job's row, not into the step's result: the engine memoizes a result and sends it
                // back on every later call of the run (a long story's prompt is 400 KB), where generate needs it once.
                const hit = await recordPromptAndFindCached(db, job, {
                  promptHash,
                  prompt,
                  key: cacheKey,
                  lookup: !(job.fresh || ref.parentJobId || chain.length > 0),
                });
                if (hit?.outputText) {
                  const reused = {
                    text: hit.outputText,
                    inputTokens: 0,
                    outputTokens: 0,
                    costUsd: 0,
                    firstTokenAt: null,
                  };
                  const done = await finishJob(db, ref, reused, options.jobTypes?.model(ref.jobType));
                  return { promptHash, sections: 0, chain, reused: done !== null };
                }
                return { promptHash, sections: 0, chain };
              } catch (error) {
                // A refusal or a template that cannot render ends the job with its code; anything else is unexpected.
                if (error instanceof GenerationError)
                  throw await failAttempt(db, jobId, error, { attempt, maxAttempts }, RETRIES);
                throw error;
              }
            }),
          );
      if (!rendered) return ended({ jobId, outcome: "not-active" });
      if ("reused" in rendered) return ended({ jobId, outcome: rendered.reused ? "reused" : "not-active" });

      // A chained job (lib/ai/chain.ts): after its own call, one engine step per later step, each on the answer of
      // the step before; a retry of one replays the steps before it from the engine's memory.
      // A run that rendered before chains existed memoized no `chain`.
      const chain: readonly string[] = rendered.chain ?? [];
      const chainFrom = async (first: StepResult): Promise<GeneratedText> => {
        const results: StepResult[] = [first];
        for (const [offset, name] of chain.entries()) {
          const index = offset + 1;
          const previous = results[index - 1]!;
          // An answer too long to come back in one call is read in sections, one engine step each (one section,
          // most pages: the step keeps its one engine step and name), so a retry resumes at the section it was on.
          const sections = chainStepSections(previous.text);
          const parts: StepResult[] = [];
          for (let section = 0; section < sections.length; section++) {
            const done = [...parts];
            parts.push(
              await step.run(
                sections.length === 1
                  ? `step-${index + 1}-${name}`
                  : `step-${index + 1}-${name}-section-${section + 1}`,
                paced(async () => {
                  const db = await getDb();
                  try {
                    return await runChainStep(
                      db,
                      jobId,
                      index,
                      previous,
                      {
                        // A prerendered job has no chain (its request records none).
                        first: { promptHash: rendered.promptHash ?? "" },
                        model: (job) => chooseModel(job).model,
                        settings,
                        validate: (text) => validateJobText(options.jobTypes?.model(ref.jobType), text),
                      },
                      { index: section, sections, done },
                    );
                  } catch (error) {
                    throw await failPartAttempt(db, error, {
                      step: index + 1,
                      ...(sections.length > 1 ? { section: section + 1 } : {}),
                    });
                  }
                }),
              ),
            );
          }
          results.push(combineChainParts(parts));
        }
        return combineSteps(results);
      };

      // A sectioned job takes one engine step per section where a one-piece job takes generate (which keeps its
      // three round trips): a crash or a retry resumes at the section it was on, the sections before it replayed
      // from the engine's memory, never asked for again. Sections run one after another, so the text streams from
      // the top of the page and a cancel stops every later section.
      if (rendered.sections > 0) {
        const results: SectionResult[] = [];
        for (let index = 0; index < rendered.sections; index++) {
          const before = [...results];
          results.push(
            await step.run(
              `section-${index + 1}`,
              paced(async () => {
                const db = await getDb();
                try {
                  return await generateSection(db, jobId, index, before, {
                    model: (job) => chooseModel(job).model,
                    settings,
                    validate: (text) => validateJobText(options.jobTypes?.model(ref.jobType), text),
                  });
                } catch (error) {
                  throw await failPartAttempt(db, error, { section: index + 1 });
                }
              }),
            ),
          );
        }
        const sectioned = combineSections(results);
        const combined = chain.length > 0 ? await chainFrom({ ...sectioned, completedAt: null }) : sectioned;
        const finishedSections = await step.run(
          "finish",
          paced(async () => finishJob(await getDb(), ref, combined, options.jobTypes?.model(ref.jobType))),
        );
        if (!finishedSections) return ended({ jobId, outcome: "not-active" });
        return ended({ jobId, outcome: "succeeded", promptHash: rendered.promptHash, sections: rendered.sections });
      }

      // One step per model of the job's chain: a model whose provider stays unavailable after its retries hands the
      // job to the next (lib/ai/jobs/fallback.ts), which gets retries of its own under its own step.
      const generateOnce = async (): Promise<
        (GeneratedText & { reused?: true }) | { fellBackTo: string } | { notActive: true }
      > => {
        const db = await getDb();
        const started = prerendered ? await startRenderedAttempt(db, jobId, true) : null;
        const job = prerendered ? started : await countAttempt(db, jobId);
        if (!job) {
          // Cancelled before its first step: nothing was started, nothing fails.
          if (prerendered) return { notActive: true };
          throw toStepError(permanentFailure("GEN_CANCELLED", "the job is no longer running"));
        }
        if (started) {
          publishJobUpdate({ jobId, status: "running", scopeId: started.scopeId });
          // The generation cache answered (see the render step): the earlier text, no model call, no cost.
          if (started.reusedText)
            return {
              text: started.reusedText,
              inputTokens: 0,
              outputTokens: 0,
              costUsd: 0,
              firstTokenAt: null,
              completedAt: new Date().toISOString(),
              reused: true,
            };
        }
        // Every attempt sends the prompt the render step stored (a run that began before the prompt was stored has
        // it in its memoized render result instead).
        const prompt = job.renderedPrompt ?? (rendered as { prompt?: string }).prompt;
        if (prompt === undefined)
          throw toStepError(permanentFailure("INTERNAL", "the job's rendered prompt is missing"));
        const choice = chooseModel(job);
        // An earlier attempt cut off mid-answer left its text in the row: continue it rather than pay for it again.
        const plan = planResume({
          prompt,
          partial: job.partialText,
          inputBudgetTokens: choice.inputBudgetTokens,
          maxOutputTokens: settings.maxOutputTokens,
          minPartialTokens: options.resumeMinPartialTokens,
        });
        if (plan.resume) {
          await markResumed(db, jobId);
          log("info", "ai generation resumes from partial text", { jobId, partialTokens: plan.partialTokens });
        } else if (job.partialText !== null) {
          await startOver(db, jobId);
          if (plan.reason) log("info", "ai generation starts over", { jobId, reason: plan.reason });
        }
        let streamedToEnd = false;
        try {
          const result = await generateJobText(db, jobId, {
            model: choice.model,
            prompt,
            sampling: job.sampling,
            ...settings,
            ...(plan.resume ? { resumeFrom: plan.partial, maxOutputTokens: plan.maxOutputTokens } : {}),
          });
          streamedToEnd = true;
          await validateJobText(options.jobTypes?.model(ref.jobType), result.text);
          return {
            text: result.text,
            inputTokens: result.inputTokens,
            outputTokens: result.outputTokens,
            firstTokenAt: result.firstTokenAt?.toISOString() ?? null,
            // Priced here, where the job row is at hand, so that finish needs no read of its own.
            costUsd: costUsd(job.model, result),
            completedAt: new Date().toISOString(),
          };
        } catch (error) {
          const generationError = toGenerationError(error);
          log("warn", "ai generation attempt failed", {
            jobId,
            code: generationError.code,
            detail: generationError.message,
          });
          if (error instanceof InterruptedGenerationError) {
            // The provider bills what it streamed before the cut, and an aborted stream reports no usage: counted
            // here as the request's and the streamed text's tokens.
            const usage = {
              inputTokens:
                countTokens(prompt) + (plan.resume ? plan.partialTokens + countTokens(CONTINUE_INSTRUCTION) : 0),
              outputTokens: countTokens(error.streamedText),
            };
            await addAttemptUsage(db, jobId, { ...usage, costUsd: costUsd(job.model, usage) });
          } else if (streamedToEnd && generationError.retriable) {
            // An answer that streamed to its end and failed after (a check of the whole text) is no text to go on
            // from: the next attempt starts over. A call that failed before writing anything keeps the partial it
            // was continuing, for the next attempt.
            await startOver(db, jobId);
          }
          const last = attempt + 1 >= (maxAttempts ?? RETRIES + 1);
          if (last && fallsBack(generationError)) {
            const next = await fallBack(db, jobId, generationError, {
              definition: options.jobTypes?.model(ref.jobType),
              choose: chooseModel,
            });
            if (next) {
              log("warn", "ai job falls back to the next model", { jobId, from: job.model, to: next });
              publishJobUpdate({ jobId, partialText: "" });
              return { fellBackTo: next };
            }
          }
          throw await failAttempt(db, jobId, generationError, { attempt, maxAttempts }, RETRIES);
        }
      };
      let generated: (GeneratedText & { reused?: true }) | undefined;
      for (let hop = 0; generated === undefined; hop++) {
        const outcome = await step.run(hop === 0 ? "generate" : `generate-${hop + 1}`, paced(generateOnce));
        if ("notActive" in outcome) return ended({ jobId, outcome: "not-active" });
        if ("fellBackTo" in outcome) {
          if (hop >= MAX_FALLBACKS) throw new Error("too many model fallbacks");
          continue;
        }
        generated = outcome;
      }
      if (chain.length > 0) {
        const first = generated;
        generated = await chainFrom({ ...first, completedAt: first.completedAt ?? null });
      }

      const finished = await step.run(
        "finish",
        paced(async () => finishJob(await getDb(), ref, generated, options.jobTypes?.model(ref.jobType))),
      );
      if (!finished) return ended({ jobId, outcome: "not-active" });
      if (generated.reused) return ended({ jobId, outcome: "reused" });
      return ended({ jobId, outcome: "succeeded", promptHash: rendered.promptHash });
    },
  );
}
