import { NextResponse } from "next/server";
import { notFound, redirect, unstable_rethrow } from "next/navigation";
import type { ActionResult } from "@/lib/action-result";
import { isAppError, toPublicError, type AppError, type ErrorCode, type PublicError } from "@/lib/errors";
import { log, loggableMessage } from "@/lib/log";

/**
 * The one place an error becomes what a surface shows: a server action's result, a JSON answer of any route, or a
 * page's not-found / sign-in / error boundary. The catalog (lib/errors.ts) decides code, status and message; this
 * module adds what each surface needs (headers, the Next navigation calls) and logs an unexpected error exactly once,
 * with its cause chain. Only the operation's name is logged, never the values it was called with.
 */

/** Where an error was met: `route` names a route template ("GET /api/v1/jobs/{jobId}"), `action` a server action. */
export type ErrorOrigin = { route: string } | { action: string };

interface RenderedError {
  status: number;
  body: PublicError;
  headers: Record<string, string>;
}

export interface HttpErrorOptions {
  /** Set on routes that authenticate with `Authorization: Bearer`: a 401 then says how (`WWW-Authenticate`). */
  bearerRealm?: string;
}

/** Messages of an error's `cause` chain: the server log's view of why, which the client never sees. */
function causeChain(error: unknown): string[] {
  const causes: string[] = [];
  let cause = error instanceof Error ? error.cause : undefined;
  while (cause !== undefined && causes.length < 5) {
    causes.push(cause instanceof Error ? `${cause.name}: ${loggableMessage(cause)}` : String(cause));
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return causes;
}

/**
 * Expected failures (AppErrors) are answers, not incidents; anything else is a bug or an outage and is logged, with
 * its cause chain. Also for places that cannot answer any more (a stream that already started).
 */
export function logIfUnexpected(error: unknown, origin: ErrorOrigin): void {
  if (isAppError(error) && error.code !== "INTERNAL") return;
  const causes = causeChain(error);
  const msg = "action" in origin ? "action failed" : "request failed";
  log("error", msg, { ...origin, error, ...(causes.length ? { causes } : {}) });
}

/** Seconds a refused client should wait, from the error's details (`retryAfterSeconds` or `resetsAt`). */
export function retryAfterSeconds(error: AppError, now = Date.now()): number | null {
  const details = error.details ?? {};
  if (typeof details.retryAfterSeconds === "number") return Math.max(1, Math.ceil(details.retryAfterSeconds));
  if (typeof details.resetsAt === "string") {
    const ms = Date.parse(details.resetsAt) - now;
    if (Number.isFinite(ms)) return Math.max(1, Math.ceil(ms / 1000));
  }
  return null;
}

/** The surface-independent rendering: status, public body and the HTTP headers the code calls for. */
function renderError(error: unknown, origin: ErrorOrigin, options: HttpErrorOptions = {}): RenderedError {
  logIfUnexpected(error, origin);
  const body = toPublicError(error);
  const status = isAppError(error) ? error.status : 500;
  const headers: Record<string, string> = { "cache-control": "no-store" };
  if (status === 401 && options.bearerRealm) headers["www-authenticate"] = `Bearer realm="${options.bearerRealm}"`;
  if (status === 429 && isAppError(error)) {
    const wait = retryAfterSeconds(error);
    if (wait !== null) headers["retry-after"] = String(wait);
  }
  return { status, body, headers };
}

/** JSON surface: `{ code, message, details? }` with the code's status, for every route (v1, session, CSV, metrics). */
export function errorResponse(error: unknown, origin: { route: string }, options: HttpErrorOptions = {}): NextResponse {
  const { status, body, headers } = renderError(error, origin, options);
  return NextResponse.json(body, { status, headers });
}

/**
 * Server-action surface: the same code and message as the JSON surface. Next's own control flow (`redirect()`,
 * `notFound()`, dynamic-rendering bailouts) is not an error and is thrown on, so Next can act on it.
 */
export function errorResult(error: unknown, origin: { action: string }): ActionResult<never> {
  unstable_rethrow(error);
  return { ok: false, error: renderError(error, origin).body };
}

export interface PageErrorOptions {
  /** Codes shown as the ordinary "not found" page (admin pages hide themselves from non-admins this way). */
  notFound: readonly ErrorCode[];
  /** Where a signed-out visitor is sent (with a callback to this page) instead of a 404. */
  signInCallback?: string;
}

/**
 * Page surface: a not-found page for the codes the page treats as "nothing here", the sign-in page for a signed-out
 * visitor when the page says where to come back to; anything else goes on to the error boundary (app/error.tsx),
 * and Next logs it there with its digest, so it is not logged here as well.
 */
export function pageError(error: unknown, options: PageErrorOptions): never {
  unstable_rethrow(error);
  if (isAppError(error)) {
    if (error.code === "UNAUTHENTICATED" && options.signInCallback) {
      redirect(`/sign-in?callbackUrl=${encodeURIComponent(options.signInCallback)}`);
    }
    if (options.notFound.includes(error.code)) notFound();
  }
  throw error;
}
