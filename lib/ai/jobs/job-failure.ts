import { NonRetriableError, RetryAfterError } from "inngest";
import type { Db } from "@/db";
import type { JobErrorCode } from "@/lib/errors";
import { GenerationError } from "../generation-errors";
import { markFailed, markRetrying } from "./ledger";
import { loggableMessage } from "@/lib/log";

/*
 * How a job's error code reaches the ledger. Not through the error handed to onFailure: for a failed step the SDK
 * rebuilds a StepError whose cause is re-parsed down to name, message and stack (4.24 strips `code` and every other
 * property there), so the code would have to be parsed back out of a message. Instead the step that knows the code
 * records it, as a value, when its failure is final; onFailure then finds the job already failed and leaves it as is.
 * Whatever fails without a recorded code (a bug, a lost store, an event that did not validate) is marked INTERNAL by
 * onFailure: never blamed on the provider.
 */

/** Fails a step for good with a code of the catalog (a refusal, a missing template, a job no longer running). */
export function permanentFailure(code: JobErrorCode, detail: string): GenerationError {
  return new GenerationError(code, detail, false);
}

/** Turns a generation error into what Inngest understands: permanent, retry later, or retry with backoff. */
export function toStepError(error: GenerationError, retryAt?: Date): Error {
  // The code stays in front of the message for the engine's own views (the admin's step list); it is not read back.
  const message = `${error.code}: ${error.message}`;
  if (!error.retriable) return new NonRetriableError(message, { cause: error });
  if (retryAt) return new RetryAfterError(message, retryAt, { cause: error });
  if (error.retryAfterMs !== undefined)
    return new RetryAfterError(message, new Date(Date.now() + error.retryAfterMs), { cause: error });
  return new Error(message, { cause: error });
}

/** The wait before the next attempt when the provider names none: AI_RETRY_BASE_MS (2 s), doubling, at most 60 s. */
export function retryDelayMs(attempt: number, baseMs = Number(process.env.AI_RETRY_BASE_MS) || 2000): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempt), 60_000);
}

/** Engine retries of a job's run after its first attempt (run-ai-job, run-ai-child-job). */
export const AI_JOB_RETRIES = 3;
/** Attempts a job gets in all: its live view says "attempt 2 of 4". */
export const AI_JOB_ATTEMPTS = AI_JOB_RETRIES + 1;

/** The handler's attempt counters (zero-based attempt; maxAttempts as the engine sent it). */
export interface Attempt {
  attempt: number;
  maxAttempts?: number;
}

/**
 * A step's generation error, recorded in the ledger with its code when no retry will follow (permanent, or the last
 * attempt), and returned as the error the step throws. Only an active job is marked (a cancelled one keeps its
 * outcome), and only by a final failure, so a code of an earlier attempt never outlives a later success.
 */
export async function failAttempt(
  db: Db,
  jobId: string,
  error: GenerationError,
  { attempt, maxAttempts }: Attempt,
  retries: number,
): Promise<Error> {
  const last = attempt + 1 >= (maxAttempts ?? retries + 1);
  if (!error.retriable || last) {
    await markFailed(db, jobId, error.code, error.message);
    return toStepError(error);
  }
  // Another attempt follows: the app picks when (the provider's Retry-After, or its own back-off) and tells the
  // engine, so the author can be told the reason and the time of the next try (the job's live view).
  const retryAt = new Date(Date.now() + (error.retryAfterMs ?? retryDelayMs(attempt)));
  await markRetrying(db, jobId, error.code, retryAt);
  return toStepError(error, retryAt);
}

/**
 * What an unexpected failure reads as in the job row (the code is INTERNAL; the cause stays in the logs too), with a
 * failed query's parameter values withheld as in the logs.
 */
export function describeFailure(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${loggableMessage(error)}` : String(error);
}
