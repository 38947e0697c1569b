/**
 * Typed application errors. Each code has one HTTP status and one message a person understands;
 * details meant for the user (e.g. which field was wrong) travel in `details`, causes stay in logs.
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
  ORDER_CONFLICT: { status: 409, message: "The page order changed meanwhile. Please try again." },
  EMAIL_TAKEN: { status: 409, message: "An account with this email already exists." },
  INVALID_CREDENTIALS: { status: 401, message: "Email or password is incorrect." },
  SIGNUP_DISABLED: { status: 403, message: "Sign-up is turned off on this server. Ask an admin for an account." },
  GEN_BUDGET_EXCEEDED: { status: 429, message: "You have used your AI budget for today." },
  RATE_LIMITED: { status: 429, message: "Too many AI requests in the last minute. Please wait a moment." },
  DB_LOCKED: { status: 503, message: "The embedded database is in use by another process." },
  INTERNAL: { status: 500, message: "Something went wrong on our side. Please try again." },
} as const;

export type ErrorCode = keyof typeof errorCatalog;

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
