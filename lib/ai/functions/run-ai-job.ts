import { NonRetriableError, RetryAfterError } from "inngest";
import { getDb, type Db } from "@/db";
import type { AiJob } from "@/db/ai-schema";
import { inngest } from "@/lib/inngest/client";
import { AI_JOB_CANCEL_REQUESTED } from "@/lib/inngest/events/ai-job-cancel-requested";
import { AI_JOB_REQUESTED, type AiJobRequestedData } from "@/lib/inngest/events/ai-job-requested";
import { AI_JOB_FAILED } from "@/lib/inngest/events/ai-job-failed";
import { AI_JOB_SUCCEEDED, type AiJobSucceededData } from "@/lib/inngest/events/ai-job-succeeded";
import type { AiChildJobRequestedData } from "@/lib/inngest/events/ai-child-job-requested";
import { log } from "@/lib/log";
import { GenerationError, toGenerationError } from "../generation-errors";
import { countAttempt, getJob, lockRequester, markFailed, markRunning, markSucceeded, recordRenderedPrompt, savePartial } from "../jobs/ledger";
import { publishJobUpdate } from "../jobs/live";
import { resolveModel, type ModelChoice } from "../models";
import { costUsd } from "../pricing";
import { hashPrompt, loadTemplate, PromptTemplateError, renderTemplate } from "../prompts";
import { streamGeneration } from "../workflows/stream-generation";

export interface RunAiJobOptions {
  /** Picks the model for a job; the default reads the environment (offline model, OpenAI, OpenAI-compatible). */
  model?: (job: { provider: string; model: string }) => ModelChoice;
  stallTimeoutMs?: number;
  totalTimeoutMs?: number;
  flushIntervalMs?: number;
  globalConcurrency?: number;
  functionId?: string;
  /** Trigger event; background children run the same workflow from their own event, under their own limit. */
  event?: string;
  /**
   * Asked before a job starts, for work admitted as a whole but run later piece by piece (background children wait
   * behind their limit while their requester's budget may run out). A refusal fails the job for good with its code.
   */
  admit?: JobAdmitter;
}

export type JobAdmitter = (job: AiJob, tx: Db) => Promise<JobRefusal | null>;

/**
 * Asks `admit` and marks the job running in one transaction under the requester's admission lock, so jobs of one
 * user starting together decide one after another, each seeing the others already running. A job found running
 * already (this step repeated after its first run committed) was admitted then and is not asked again.
 */
async function admitAndStart(db: Db, jobId: string, admit: JobAdmitter) {
  return db.transaction(async (tx) => {
    const job = await getJob(tx, jobId);
    if (job?.status === "pending") {
      await lockRequester(tx, job.requestedBy);
      const refusal = await admit(job, tx);
      if (refusal) throw new NonRetriableError(`${refusal.code}: ${refusal.detail}`);
    }
    return markRunning(tx, jobId);
  });
}

/** Why a job may not start: a GEN_* code for the ledger and a detail for the admin's view. */
export interface JobRefusal {
  code: string;
  detail: string;
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
 * run-ai-job: render (marks the job running, renders its prompt) → generate (streamed; counts an attempt each time it
 * runs) → finish (stores the result, announces ai/job.succeeded). Every side effect is in a step and every step is
 * safe to repeat (ledger writes are guarded by status, the announcement has a fixed event id). Failure bookkeeping
 * happens once, in onFailure.
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
      triggers: [{ event: options.event ?? AI_JOB_REQUESTED }],
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
        // Fan-out parents count their children's outcomes (lib/ai/functions/settle-fan-out-parent.ts).
        await step.sendEvent("announce-failure", { name: AI_JOB_FAILED, data: { jobId, targetType: original.data.targetType, targetId: original.data.targetId } });
      },
    },
    async ({ event, step }) => {
      const { jobId } = event.data as AiJobRequestedData;
      // Children arrive with their parent in the event; passing it on spares every other job a parent lookup.
      const parentJobId = (event.data as Partial<AiChildJobRequestedData>).parentJobId ?? null;

      // Start and render are one step: each step is a round trip to the engine, and the running job's row is all
      // rendering needs. The id stays "render" (same result shape), so a run left mid-way by an older version resumes.
      const rendered = await step.run("render", async () => {
        const db = await getDb();
        const job = options.admit ? await admitAndStart(db, jobId, options.admit) : await markRunning(db, jobId);
        if (!job) return null;
        publishJobUpdate({ jobId, status: "running" });
        let prompt: string;
        try {
          const template = await loadTemplate(job.templateKey, job.templateVersion);
          try {
            prompt = await renderTemplate(template, job.promptPayload as Record<string, unknown>);
          } catch (error) {
            // Rendering is a pure function of the recorded template and payload: it fails the same way every time.
            throw new PromptTemplateError(`Template ${job.templateKey} v${job.templateVersion} failed to render: ${(error as Error).message}`);
          }
        } catch (error) {
          // A template missing from this deployment, or one that cannot render this payload, will not heal by retrying.
          if (error instanceof PromptTemplateError) throw new NonRetriableError(`GEN_PROVIDER_UNAVAILABLE: ${error.message}`);
          throw error;
        }
        const promptHash = hashPrompt(prompt);
        await recordRenderedPrompt(db, jobId, promptHash);
        return { prompt, promptHash };
      });
      if (!rendered) return { jobId, outcome: "not-active" };

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
            onPartial: async (text, final) => {
              publishJobUpdate({ jobId, partialText: text });
              // The whole text is stored by finish right after, whose status guard also catches a late cancel.
              if (final) return;
              // The ledger write doubles as the cancel check: a cancelled job is no longer "running".
              const stillRunning = await savePartial(db, jobId, text, new Date());
              if (!stillRunning) controller.abort(new Error("job is no longer running"));
            },
          });
          return {
            ...result,
            firstTokenAt: result.firstTokenAt?.toISOString() ?? null,
            // Priced here, where the job row is at hand, so that finish needs no read of its own.
            costUsd: costUsd(job.model, result),
          };
        } catch (error) {
          const generationError = toGenerationError(error);
          log("warn", "ai generation attempt failed", { jobId, code: generationError.code, detail: generationError.detail });
          throw toStepError(generationError);
        }
      });

      const finished = await step.run("finish", async () => {
        const db = await getDb();
        // A generate result memoized by an older version carries no price.
        const price =
          generated.costUsd !== undefined ? generated.costUsd : costUsd((await getJob(db, jobId))?.model ?? "", generated);
        const done = await markSucceeded(db, jobId, {
          text: generated.text,
          inputTokens: generated.inputTokens,
          outputTokens: generated.outputTokens,
          costUsd: price,
          firstTokenAt: generated.firstTokenAt ? new Date(generated.firstTokenAt) : null,
        });
        // A repeat of this step (its first attempt marked the job but failed to send, or its result was not
        // recorded) finds the job already succeeded and must still announce it.
        const job = done ?? (await getJob(db, jobId));
        if (job?.status !== "succeeded") return null;
        const announced: AiJobSucceededData = { jobId, targetType: job.targetType, targetId: job.targetId, parentJobId };
        // Announced from inside the step rather than by step.sendEvent, which would be one more round trip to the
        // engine on every job's critical path. The fixed event id makes a repeated send start nothing new.
        await inngest.send({ id: `${jobId}:succeeded`, name: AI_JOB_SUCCEEDED, data: announced });
        return { ...announced, announced: true };
      });
      if (!finished) return { jobId, outcome: "not-active" };
      // A finish memoized by an older version, which left the announcement to a step of its own.
      const memoized: { targetType: string; targetId: string; announced?: boolean } = finished;
      if (!memoized.announced) {
        await step.sendEvent("announce", { name: AI_JOB_SUCCEEDED, data: { jobId, targetType: memoized.targetType, targetId: memoized.targetId, parentJobId } });
      }
      return { jobId, outcome: "succeeded", promptHash: rendered.promptHash };
    },
  );
}
