/**
 * The one catalog of error codes. Each code has one HTTP status and one message a person understands; codes a job
 * can end with also say how that outcome reads afterwards (`job`). Details meant for the user (e.g. which field was
 * wrong) travel in `details`; causes stay in logs and, for jobs, in the job row.
 */
export const errorCatalog = {
  UNAUTHENTICATED: { status: 401, message: "Please sign in to continue." },
  FORBIDDEN: { status: 403, message: "You are not allowed to do that." },
  NOT_FOUND: { status: 404, message: "We couldn't find that. It may have been deleted." },
  VALIDATION: { status: 400, message: "Some of the input is not valid." },
  LIMIT_EXCEEDED: { status: 413, message: "That is longer than allowed." },
  CONFLICT: {
    status: 409,
    message: "This page was changed somewhere else since you started editing. Your text was not saved.",
  },
  // A save while the page's own Generate writes it (a tab that does not see the job): refused rather than turning the
  // AI's text into a suggestion behind the author's back. `saveWhileAiWrites` is the author's explicit "keep my text".
  PAGE_AI_WRITING: {
    status: 409,
    message:
      "The AI is writing this page right now, so your text was not saved. Wait for it to finish or cancel it — or save anyway, and the AI's text will wait beside the page as a suggestion.",
  },
  ORDER_CONFLICT: { status: 409, message: "The page order changed meanwhile. Please try again." },
  EMAIL_TAKEN: { status: 409, message: "An account with this email already exists." },
  INVALID_CREDENTIALS: { status: 401, message: "Email or password is incorrect." },
  SIGNUP_DISABLED: { status: 403, message: "Sign-up is turned off on this server. Ask an admin for an account." },
  RATE_LIMITED: { status: 429, message: "Too many AI requests in the last minute. Please wait a moment." },
  TOO_MANY_ATTEMPTS: { status: 429, message: "Too many attempts. Please wait a few minutes and try again." },
  TOO_MANY_STREAMS: {
    status: 429,
    message: "Too many live views are open. Close a few story tabs, or wait a moment and try again.",
  },
  DB_LOCKED: { status: 503, message: "The embedded database is in use by another process." },
  INTERNAL: {
    status: 500,
    message: "Something went wrong on our side. Please try again.",
    job: "Something went wrong on our side.",
  },
  // The typed generation errors of the product brief.
  GEN_TIMEOUT: {
    status: 504,
    message: "The AI model took too long to answer. Please try again.",
    job: "The AI model took too long to answer.",
  },
  GEN_PROVIDER_UNAVAILABLE: {
    status: 503,
    message: "The AI provider is unavailable right now. Please try again in a few minutes.",
    job: "The AI provider was unavailable.",
  },
  GEN_RATE_LIMITED: {
    status: 503,
    message: "The AI provider is receiving too many requests. Please wait a moment and try again.",
    job: "The AI provider received too many requests.",
  },
  GEN_EMPTY_OUTPUT: {
    status: 502,
    message: "The AI model returned no text. Please try again, perhaps with a different instruction.",
    job: "The AI model returned no text.",
  },
  GEN_CONSTRAINT_FAIL: {
    status: 422,
    message: "This request does not fit what the AI model accepts (for example it is too long).",
    job: "The request did not fit what the AI model accepts.",
  },
  GEN_CANCELLED: { status: 409, message: "The generation was cancelled.", job: "The generation was cancelled." },
  GEN_BUDGET_EXCEEDED: {
    status: 429,
    message: "You have used your AI budget for today.",
    job: "Your AI budget for today ran out before this page's turn.",
  },
  // An answer that should have a shape (codex suggestions: JSON entries) and does not: the model's fault, not ours.
  GEN_MALFORMED_OUTPUT: {
    status: 502,
    message: "The AI model's answer was not in the expected form. Please try again.",
    job: "The AI model's answer was not in the expected form.",
  },
  // Importing a manuscript (lib/stories/import): each refusal says what to do about the file.
  IMPORT_UNSUPPORTED_FORMAT: {
    status: 415,
    message: "That kind of file cannot be imported. Import a .docx, .md or .txt file.",
  },
  IMPORT_WRONG_TYPE: {
    status: 415,
    message:
      "This file is not what its name says (its contents do not match its extension). Save it again in that format.",
  },
  IMPORT_ENCRYPTED: {
    status: 422,
    message:
      "This document is password-protected (or an old Word .doc file). Remove the password or save it as .docx, then try again.",
  },
  IMPORT_EMPTY: { status: 422, message: "This file has no text to import." },
  IMPORT_TOO_LARGE: { status: 413, message: "This file is larger than the import limit." },
  IMPORT_CORRUPT: {
    status: 422,
    message: "This file is damaged and cannot be read. Open and save it again, then retry.",
  },
  IMPORT_ZIP_BOMB: {
    status: 413,
    message: "This document unpacks to far more data than a manuscript holds, so it was not opened.",
  },
  IMPORT_TOO_MANY_PAGES: {
    status: 422,
    message: "This manuscript would make more pages than a story may have. Choose a longer target length.",
  },
  // Recorded on an import the sweep found stuck (its function crashed or its process died): never an HTTP answer.
  IMPORT_STALLED: {
    status: 500,
    message:
      "This import stopped before it finished (the server may have restarted). No story was created: import the file again.",
  },
  // Illustrate on a page with no text (it was emptied after the request): nothing to depict.
  GEN_NOTHING_TO_ILLUSTRATE: {
    status: 422,
    message: "This page has no text to illustrate. Write something first.",
    job: "The page had no text to illustrate.",
  },
  // An image answer that cannot be shown: not a PNG/JPEG/WebP by its bytes, over the byte or pixel limit, or cut off.
  GEN_BAD_IMAGE: {
    status: 502,
    message:
      "The image model's answer was not a usable image (not an image, too large or unreadable). Please try again.",
    job: "The image model's answer was not a usable image.",
  },
} as const satisfies Record<string, { status: number; message: string; job?: string }>;

export type ErrorCode = keyof typeof errorCatalog;

/** The codes an AI job can end with (recorded in `ai_jobs.error_code`). */
export type JobErrorCode = {
  [K in ErrorCode]: (typeof errorCatalog)[K] extends { job: string } ? K : never;
}[ErrorCode];

function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(errorCatalog, code);
}

function isJobErrorCode(code: string): code is JobErrorCode {
  return isErrorCode(code) && "job" in errorCatalog[code];
}

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message ?? errorCatalog[code].message, options);
    this.name = "AppError";
    this.status = errorCatalog[code].status;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** What a client may see of an error: never a stack, never an unexpected message. */
export interface PublicError {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export function toPublicError(error: unknown): PublicError {
  if (isAppError(error)) {
    return { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
  }
  return { code: "INTERNAL", message: errorCatalog.INTERNAL.message };
}

/**
 * Failures the browser meets before any answer arrives, so no server code applies: they are shown as INTERNAL with
 * `details.reason` saying which. Only a failed request is "couldn't reach the server"; anything else is a fault in the
 * page itself (a bug, an answer it does not understand), for which checking the connection would be wrong advice.
 */
export const clientFailures = {
  network: "We couldn't reach the server. Check your connection and try again — nothing you typed was lost.",
  client: "Something went wrong in this page. Reload it and try again — nothing you typed was lost.",
} as const;

export type ClientFailure = keyof typeof clientFailures;

/**
 * How a failed job reads for the person who asked for it. `page`: the job would have written a page, which stays as it
 * was; `item`: one item of a larger job (a page of a background revision), listed with the others.
 */
/** Why an attempt failed while another follows, as a phrase ("Attempt 2 of 4 — the model took too long…"). */
const retryReasons: Partial<Record<JobErrorCode, string>> = {
  GEN_TIMEOUT: "the AI model took too long to answer",
  GEN_PROVIDER_UNAVAILABLE: "the AI provider was unavailable",
  GEN_RATE_LIMITED: "the AI provider was receiving too many requests",
  GEN_EMPTY_OUTPUT: "the AI model returned no text",
  GEN_MALFORMED_OUTPUT: "the AI model's answer was not in the expected form",
  INTERNAL: "something went wrong on our side",
};

export function retryReasonText(code: string | null): string {
  return (code && isJobErrorCode(code) ? retryReasons[code] : undefined) ?? "the last try failed";
}

export function jobFailureMessage(code: string | null, surface: "page" | "item"): string {
  const what = code && isJobErrorCode(code) ? errorCatalog[code].job : "The generation failed.";
  return surface === "page" ? `${what} Your text is unchanged.` : what;
}
