import type { LanguageModelV4 } from "@ai-sdk/provider";
import type { Db } from "@/db";
import type { AiJob } from "@/db/ai-schema";
import { inngest } from "@/lib/inngest/client";
import { aiJobSucceeded } from "@/lib/inngest/events/ai-job-succeeded";
import type { JobRef } from "@/lib/inngest/events/job-ref";
import { settleFanOutParent } from "../jobs/fan-out";
import { getJob, lockRequester, markLanded, markRunning, markSucceeded, savePartial } from "../jobs/ledger";
import { permanentFailure } from "../jobs/job-failure";
import { publishJobUpdate } from "../jobs/live";
import { log } from "@/lib/log";
import { resolveTemplate } from "../prompt-library";
import { PromptTemplateError, renderTemplate } from "../prompts";
import { joinContinuation } from "../workflows/continuation";
import { streamGeneration, type StreamGenerationResult } from "../workflows/stream-generation";
import type { JobAdmitter, JobToRender, ModelJobType } from "./definition";

/*
 * The shared steps every job type is composed of: render, generate, validate, land. They are plain functions; how
 * many engine steps they take is the runner's choice (lib/ai/functions/run-ai-job.ts groups them into three).
 */

/**
 * pending → running. With `admit`, asks it and marks the job running in one transaction under the requester's
 * admission lock, so jobs of one user starting together decide one after another, each seeing the others already
 * running. A job found running already (a repeated step whose first run committed) was admitted then and is not asked
 * again. Null when the job is no longer active.
 */
export type StartedJob = JobToRender &
  Pick<AiJob, "scopeId" | "jobType" | "provider" | "model" | "requestedBy" | "fresh" | "steps">;

export async function startJob(db: Db, jobId: string, admit?: JobAdmitter): Promise<StartedJob | null> {
  const job = admit
    ? await db.transaction(async (tx) => {
        const pending = await getJob(tx, jobId);
        if (pending?.status === "pending") {
          await lockRequester(tx, pending.requestedBy);
          const refusal = await admit(pending, tx);
          // Thrown out of the transaction, which rolls back; the runner records the refusal after it.
          if (refusal) throw permanentFailure(refusal.code, refusal.detail);
        }
        return markRunning(tx, jobId);
      })
    : await markRunning(db, jobId);
  if (!job) return null;
  // With its scope: a live view that has not read the job since it was submitted (another instance) follows it now.
  publishJobUpdate({ jobId, status: "running", scopeId: job.scopeId });
  return { id: jobId, ...job };
}

/**
 * Render: the job's recorded template with its recorded payload (the default prompt of a model job type), or with
 * `variables` derived from it (one section of a sectioned job: lib/ai/job-types/sections.ts).
 */
export async function renderJobPrompt(
  job: JobToRender,
  variables: Record<string, unknown> = job.promptPayload as Record<string, unknown>,
): Promise<string> {
  try {
    const template = await resolveTemplate(job.templateKey, job.templateVersion);
    try {
      return await renderTemplate(template, variables);
    } catch (error) {
      // Rendering is a pure function of the recorded template and payload: it fails the same way every time.
      throw new PromptTemplateError(
        `Template ${job.templateKey} v${job.templateVersion} failed to render: ${(error as Error).message}`,
      );
    }
  } catch (error) {
    // A template missing from this deployment, or one that cannot render this payload, will not heal by retrying.
    if (error instanceof PromptTemplateError) throw permanentFailure("GEN_PROVIDER_UNAVAILABLE", error.message);
    throw error;
  }
}

export interface GenerateSettings {
  stallTimeoutMs: number;
  totalTimeoutMs: number;
  flushIntervalMs: number;
  /** The answer's output allowance (none: the provider's default); a resumed attempt gets what is left of it. */
  maxOutputTokens?: number;
}

/**
 * Generate: one streamed model call for a running job. Partial text is published as it grows and saved to the
 * ledger, whose write doubles as the cancel check (a cancelled job is no longer "running": the call is aborted).
 * With `resumeFrom` (the partial text of an interrupted attempt), the model continues that text: what is published,
 * saved and returned is the partial followed by the continuation, while the usage is the continuation call's alone.
 */
export async function generateJobText(
  db: Db,
  jobId: string,
  input: {
    model: LanguageModelV4;
    prompt: string;
    resumeFrom?: string;
    sampling?: { temperature: number; seed: number } | null;
  } & GenerateSettings &
    SectionShown,
): Promise<StreamGenerationResult> {
  const controller = new AbortController();
  const { shownAs: shownAsAnswer, section, resumeFrom, ...call } = input;
  const shownAs = resumeFrom === undefined ? shownAsAnswer : (answer: string) => joinContinuation(resumeFrom, answer);
  const result = await streamGeneration({
    ...call,
    continueFrom: resumeFrom,
    signal: controller.signal,
    onPartial: async (answer, final) => {
      const text = shownAs ? shownAs(answer) : answer;
      publishJobUpdate({ jobId, partialText: text, ...(section ? { section } : {}) });
      // The whole text is stored by finish right after (a section's, by the next section's start), whose status
      // guard also catches a late cancel.
      if (final) return;
      const stillRunning = await savePartial(db, jobId, text, new Date());
      if (!stillRunning) controller.abort(new Error("job is no longer running"));
    },
  });
  return resumeFrom === undefined ? result : { ...result, text: joinContinuation(resumeFrom, result.text) };
}

/** How one section's answer shows in the job's text while it streams (sectioned jobs only). */
interface SectionShown {
  /** The job's text so far given the section's answer so far: the sections before it, then this answer. */
  shownAs?: (answer: string) => string;
  /** Which section streams, for the live progress ("section 2 of 7"). */
  section?: { number: number; count: number };
}

/** Validate: the job type's check of a finished answer (none by default). */
export async function validateJobText(definition: ModelJobType | undefined, text: string): Promise<void> {
  await definition?.validate?.(text);
}

export interface GeneratedText {
  text: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number | null;
  /** ISO time: step results are JSON. */
  firstTokenAt: string | null;
  /** ISO time the answer was in (a chained job records it for its first step). */
  completedAt?: string | null;
}

/**
 * Finish: stores the answer, lands it when the runner knows the job's type (`definition`: its `land`, then, for a
 * child of a fan-out, the parent's count) and announces ai/job.succeeded, all inside one step: a second function run
 * to land the result, or a step.sendEvent, would each add engine round trips to every job's critical path. The
 * announcement says whether the job landed: the domain's landing function starts only for one that did not (a runner
 * without the type, or a landing that failed here, which is logged and left to that function and its retries, so a
 * landing error never fails a job whose answer is stored). A repeat of this step (its first attempt stopped part way,
 * or its result was not recorded) finds the job already succeeded, lands it again (landing is idempotent) and
 * announces it again under the fixed event id, which starts nothing new. Null when the job is no longer running
 * (cancelled).
 */
export async function finishJob(
  db: Db,
  ref: JobRef,
  generated: GeneratedText,
  definition?: ModelJobType,
): Promise<(JobRef & { landed: boolean }) | null> {
  const { jobId } = ref;
  const done = await markSucceeded(db, jobId, {
    text: generated.text,
    inputTokens: generated.inputTokens,
    outputTokens: generated.outputTokens,
    costUsd: generated.costUsd,
    firstTokenAt: generated.firstTokenAt ? new Date(generated.firstTokenAt) : null,
  });
  const job = done ?? (await getJob(db, jobId));
  if (job?.status !== "succeeded") return null;
  let landed = false;
  if (definition) {
    try {
      await landJobResult(db, definition, jobId);
      if (ref.parentJobId !== null) await settleParent(db, ref.parentJobId);
      landed = true;
    } catch (error) {
      log("warn", "ai job result not landed by its run; left to the landing function", { jobId, error });
    }
  }
  const announced = { ...ref, landed };
  await inngest.send(aiJobSucceeded.create(announced, { id: `${jobId}:succeeded` }));
  return announced;
}

/**
 * Land: hands a succeeded job's output to its job type, then marks it landed whatever the outcome (a skipped result,
 * say its page is gone, has nothing left to wait for either) and wakes the target's open streams at once.
 */
export async function landJobResult(db: Db, definition: ModelJobType, jobId: string): Promise<string> {
  const job = await getJob(db, jobId);
  if (!job) return "skipped";
  const outcome = await definition.land(job);
  await markLanded(db, jobId);
  publishJobUpdate({ jobId, status: "succeeded" });
  return outcome;
}

/** Ends a fan-out parent once its last child has ended (a child counts once it has landed). */
export async function settleParent(db: Db, parentJobId: string): Promise<string | null> {
  const parent = await settleFanOutParent(db, parentJobId);
  if (parent) publishJobUpdate({ jobId: parent.id, status: parent.status });
  return parent?.status ?? null;
}
