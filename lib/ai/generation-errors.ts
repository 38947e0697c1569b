import { AISDKError, APICallError } from "@ai-sdk/provider";
import type { JobErrorCode } from "@/lib/errors";

/** A job-ending code of the one catalog (`lib/errors.ts`), which holds the human messages. */
export type GenerationErrorCode = JobErrorCode;

/**
 * A job-ending error whose code is data: the step that catches it records the code in the ledger as it is
 * (lib/ai/jobs/job-failure.ts), and the message is the detail alone, so no code is ever parsed back out of text.
 */
export class GenerationError extends Error {
  constructor(
    readonly code: GenerationErrorCode,
    /** Technical detail for the job row and the logs (never shown to authors as is). */
    readonly detail: string,
    readonly retriable: boolean,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(detail, options);
    this.name = "GenerationError";
  }
}

function retryAfterMs(headers: Record<string, string> | undefined): number | undefined {
  const value = headers?.["retry-after"] ?? headers?.["Retry-After"];
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * Maps whatever a provider call threw to a typed generation error, deciding whether another attempt can help. What is
 * neither an HTTP answer of the provider nor a network failure is a bug of ours (a TypeError, say): INTERNAL, so it
 * is not reported as the provider's fault. It stays retriable, as any unexpected error of a step is.
 */
export function toGenerationError(error: unknown): GenerationError {
  if (error instanceof GenerationError) return error;
  const cause = (error as { cause?: unknown })?.cause;
  const apiError = APICallError.isInstance(error) ? error : APICallError.isInstance(cause) ? cause : undefined;
  if (apiError) {
    const status = apiError.statusCode;
    const detail = `HTTP ${status ?? "?"} from ${apiError.url}: ${(apiError.responseBody ?? apiError.message).slice(0, 500)}`;
    if (status === 429)
      return new GenerationError("GEN_RATE_LIMITED", detail, true, retryAfterMs(apiError.responseHeaders), {
        cause: error,
      });
    if (status === 408 || status === undefined || status >= 500) {
      return new GenerationError("GEN_PROVIDER_UNAVAILABLE", detail, true, undefined, { cause: error });
    }
    if (status === 401 || status === 403 || status === 404) {
      // Bad key or unknown model: a configuration problem that no retry fixes.
      return new GenerationError("GEN_PROVIDER_UNAVAILABLE", detail, false, undefined, { cause: error });
    }
    return new GenerationError("GEN_CONSTRAINT_FAIL", detail, false, undefined, { cause: error });
  }
  const message =
    error instanceof Error
      ? `${error.name}: ${error.message}`
      : typeof error === "object" && error !== null
        ? JSON.stringify(error).slice(0, 500)
        : String(error);
  if (/ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|fetch failed|socket hang up|terminated/i.test(message)) {
    return new GenerationError("GEN_PROVIDER_UNAVAILABLE", message, true, undefined, { cause: error });
  }
  // What the provider's stream or the AI SDK reports (a malformed chunk, an error part, which may be a plain object):
  // the provider's fault, worth another attempt.
  if (AISDKError.isInstance(error) || !(error instanceof Error)) {
    return new GenerationError("GEN_PROVIDER_UNAVAILABLE", message, true, undefined, { cause: error });
  }
  // Anything else is an Error thrown by our own code: a bug, never blamed on the provider.
  return new GenerationError("INTERNAL", message, true, undefined, { cause: error });
}
