import { NonRetriableError, RetryAfterError } from "inngest";
import { getDb } from "@/db";
import { inngest } from "@/lib/inngest/client";
import { AI_JOB_CANCEL_REQUESTED } from "@/lib/inngest/events/ai-job-cancel-requested";
import { AI_JOB_REQUESTED, type AiJobRequestedData } from "@/lib/inngest/events/ai-job-requested";
import { AI_JOB_SUCCEEDED } from "@/lib/inngest/events/ai-job-succeeded";
import { log } from "@/lib/log";
import { GenerationError, toGenerationError } from "../generation-errors";
import { countAttempt, getJob, markFailed, markRunning, markSucceeded, recordRenderedPrompt, savePartial } from "../jobs/ledger";
import { publishJobUpdate } from "../jobs/live";
import { resolveModel, type ModelChoice } from "../models";
import { costUsd } from "../pricing";
import { hashPrompt, loadTemplate, renderTemplate } from "../prompts";
import { streamGeneration } from "../workflows/stream-generation";

export interface RunAiJobOptions {
  /** Picks the model for a job; the default reads the environment (offline model, OpenAI, OpenAI-compatible). */
  model?: (job: { provider: string; model: string }) => ModelChoice;
  stallTimeoutMs?: number;
  totalTimeoutMs?: number;
  flushIntervalMs?: number;
  globalConcurrency?: number;
  functionId?: string;
}

function envNumber(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const JOB_ERROR_CODE = /^(GEN_[A-Z_]+):\s*/;

/** Turns a generation error into what Inngest understands: permanent, retry later, or retry with backoff. */
function toStepError(error: GenerationError): Error {
  const message = `${error.code}: ${error.detail}`;
  if (!error.retriable) return new NonRetriableError(message, { cause: error });
  if (error.retryAfterMs !== undefined) return new RetryAfterError(message, new Date(Date.now() + error.retryAfterMs), { cause: error });
  return new Error(message, { cause: error });
}

/**
 * run-ai-job: start (mark running) → render → generate (streamed; counts an attempt each time it runs) → finish →
 * announce. Every side effect is in a step and every step is safe to repeat (ledger writes are guarded by status).
 * Failure bookkeeping happens once, in onFailure.
 */
export function createRunAiJob(options: RunAiJobOptions = {}) {
  const chooseModel = options.model ?? (() => resolveModel());
  const stallTimeoutMs = options.stallTimeoutMs ?? envNumber("AI_STALL_TIMEOUT_MS", 30_000);
  const totalTimeoutMs = options.totalTimeoutMs ?? envNumber("AI_TIMEOUT_MS", 180_000);
  const flushIntervalMs = options.flushIntervalMs ?? 200;

  return inngest.createFunction(
    {
      id: options.functionId ?? "run-ai-job",
      name: "Run AI job",
      triggers: [{ event: AI_JOB_REQUESTED }],
      retries: 3,
      concurrency: [
        { key: "event.data.targetId", limit: 1 },
        { limit: options.globalConcurrency ?? envNumber("AI_CONCURRENCY", 4) },
      ],
      cancelOn: [{ event: AI_JOB_CANCEL_REQUESTED, if: "event.data.jobId == async.data.jobId" }],
      onFailure: async ({ event, error, step }) => {
        const original = (event.data as { event: { data: AiJobRequestedData } }).event;
        const jobId = original.data.jobId;
        const code = JOB_ERROR_CODE.exec(error.message)?.[1] ?? "GEN_PROVIDER_UNAVAILABLE";
        const detail = error.message.replace(JOB_ERROR_CODE, "");
        await step.run("mark-failed", async () => {
          const job = await markFailed(await getDb(), jobId, code, detail);
          publishJobUpdate({ jobId, status: job?.status ?? "failed" });
          log("warn", "ai job failed", { jobId, code, detail });
          return job?.status ?? null;
        });
      },
    },
    async ({ event, step }) => {
      const { jobId } = event.data as AiJobRequestedData;

      const started = await step.run("start", async () => {
        const job = await markRunning(await getDb(), jobId);
        if (job) publishJobUpdate({ jobId, status: "running" });
        return job ? { templateKey: job.templateKey, templateVersion: job.templateVersion } : null;
      });
      if (!started) return { jobId, outcome: "not-active" };

      const rendered = await step.run("render", async () => {
        const job = await getJob(await getDb(), jobId);
        if (!job) throw new NonRetriableError(`GEN_CONSTRAINT_FAIL: job ${jobId} disappeared`);
        const template = await loadTemplate(job.templateKey, job.templateVersion);
        const prompt = await renderTemplate(template, job.promptPayload as Record<string, unknown>);
        const promptHash = hashPrompt(prompt);
        await recordRenderedPrompt(await getDb(), jobId, promptHash);
        return { prompt, promptHash };
      });

      const generated = await step.run("generate", async () => {
        const db = await getDb();
        const job = await countAttempt(db, jobId);
        if (!job) throw new NonRetriableError("GEN_CANCELLED: the job is no longer running");
        const choice = chooseModel({ provider: job.provider, model: job.model });
        const controller = new AbortController();
        try {
          const result = await streamGeneration({
            model: choice.model,
            prompt: rendered.prompt,
            signal: controller.signal,
            stallTimeoutMs,
            totalTimeoutMs,
            flushIntervalMs,
            onPartial: async (text) => {
              publishJobUpdate({ jobId, partialText: text });
              // The ledger write doubles as the cancel check: a cancelled job is no longer "running".
              const stillRunning = await savePartial(db, jobId, text, new Date());
              if (!stillRunning) controller.abort(new Error("job is no longer running"));
            },
          });
          return { ...result, firstTokenAt: result.firstTokenAt?.toISOString() ?? null };
        } catch (error) {
          const generationError = toGenerationError(error);
          log("warn", "ai generation attempt failed", { jobId, code: generationError.code, detail: generationError.detail });
          throw toStepError(generationError);
        }
      });

      const finished = await step.run("finish", async () => {
        const db = await getDb();
        const job = await getJob(db, jobId);
        const done = await markSucceeded(db, jobId, {
          text: generated.text,
          inputTokens: generated.inputTokens,
          outputTokens: generated.outputTokens,
          costUsd: job ? costUsd(job.model, generated) : null,
          firstTokenAt: generated.firstTokenAt ? new Date(generated.firstTokenAt) : null,
        });
        return done ? { targetType: done.targetType, targetId: done.targetId } : null;
      });
      if (!finished) return { jobId, outcome: "not-active" };

      await step.sendEvent("announce", { name: AI_JOB_SUCCEEDED, data: { jobId, ...finished } });
      return { jobId, outcome: "succeeded", promptHash: rendered.promptHash };
    },
  );
}
