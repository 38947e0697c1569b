import { NonRetriableError, RetryAfterError } from "inngest";
import { isJobErrorCode, type JobErrorCode } from "@/lib/errors";
import { GenerationError } from "../generation-errors";

/** How a job ended badly, as recorded in the ledger. */
export interface JobFailure {
  code: JobErrorCode;
  detail: string;
}

/**
 * Turns a generation error into what Inngest understands: permanent, retry later, or retry with backoff. The
 * message keeps the code in front for the engine's own views; onFailure reads the code from the cause, as data.
 */
export function toStepError(error: GenerationError): Error {
  const message = `${error.code}: ${error.message}`;
  if (!error.retriable) return new NonRetriableError(message, { cause: error });
  if (error.retryAfterMs !== undefined) return new RetryAfterError(message, new Date(Date.now() + error.retryAfterMs), { cause: error });
  return new Error(message, { cause: error });
}

/** Fails a step for good with a code of the catalog (a refusal, a missing template, a job no longer running). */
export function permanentFailure(code: JobErrorCode, detail: string): Error {
  return toStepError(new GenerationError(code, detail, false));
}

/**
 * What onFailure was handed, read back as a code and a detail. The SDK serializes a thrown error with its `code` and
 * `cause` (a failed step reaches the function as a StepError whose cause is what the step threw), so the first error
 * of the cause chain whose `code` is a job code is the one a step meant. Anything else is a failure nobody
 * anticipated (a bug, a store that went away, an event that did not validate): INTERNAL, never the provider's fault.
 */
export function jobFailureOf(error: unknown): JobFailure {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current && typeof current === "object"; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === "string" && isJobErrorCode(code)) return { code, detail: typeof message === "string" ? message : code };
    current = (current as { cause?: unknown }).cause;
  }
  const described = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { code: "INTERNAL", detail: described };
}
