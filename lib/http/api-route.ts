import { NextResponse } from "next/server";
import { authenticateApiToken } from "@/lib/auth/api-tokens";
import { AppError, isAppError, toPublicError } from "@/lib/errors";
import { log } from "@/lib/log";
import type { Actor } from "@/lib/stories/actor";

/** What a v1 handler gets: the token's user, the request, the route's params and a JSON body reader. */
export interface ApiContext<P> {
  actor: Actor;
  request: Request;
  params: P;
  /** The JSON body; an empty body is `{}`, anything unparseable a 400 VALIDATION naming the body. */
  json(): Promise<unknown>;
  /** The query string as a plain object (repeated keys: the last wins). */
  query(): Record<string, string>;
}

export interface ApiAnswer {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

const noStore = { "cache-control": "no-store" };
const MAX_BODY_BYTES = 64 * 1024;

/** The Bearer secret of a request, or null. */
function bearer(request: Request): string | null {
  const header = request.headers.get("authorization");
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw new AppError("LIMIT_EXCEEDED", "The request body is too large.");
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("VALIDATION", "The request body is not valid JSON.", { fields: { body: "Not valid JSON." } });
  }
}

/** A JSON body that must be an object (path params are merged into it). */
export function objectBody(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new AppError("VALIDATION", "The request body must be a JSON object.", { fields: { body: "Must be a JSON object." } });
  }
  return body as Record<string, unknown>;
}

/** Seconds a refused client should wait, for the Retry-After header of 429 answers. */
function retryAfterSeconds(error: AppError): number | null {
  const details = error.details ?? {};
  if (typeof details.retryAfterSeconds === "number") return details.retryAfterSeconds;
  if (typeof details.resetsAt === "string") {
    const ms = Date.parse(details.resetsAt) - Date.now();
    if (Number.isFinite(ms)) return Math.max(1, Math.ceil(ms / 1000));
  }
  return null;
}

/** The JSON answer for any failure: `{ code, message, details? }` with the code's status; never a stack. */
export function apiError(error: unknown, route: string): Response {
  if (!isAppError(error)) log("error", "api request failed", { route, error });
  const headers: Record<string, string> = { ...noStore };
  if (isAppError(error) && error.status === 401) headers["www-authenticate"] = 'Bearer realm="story-sprout"';
  if (isAppError(error) && error.status === 429) {
    const wait = retryAfterSeconds(error);
    if (wait !== null) headers["retry-after"] = String(wait);
  }
  return NextResponse.json(toPublicError(error), { status: isAppError(error) ? error.status : 500, headers });
}

/**
 * Wraps a REST API v1 handler: authenticates the `Authorization: Bearer <token>` header (a personal API token; no
 * cookie, so another site cannot make a signed-in browser call the API), hands over the parsed params, and maps every
 * failure to its JSON error. Handlers return `{ status, body }` or throw AppErrors.
 */
export function apiRoute<P = Record<string, never>>(
  route: string,
  handler: (ctx: ApiContext<P>) => Promise<ApiAnswer>,
): (request: Request, context: { params: Promise<P> }) => Promise<Response> {
  return async (request, context) => {
    try {
      const secret = bearer(request);
      const actor = secret ? await authenticateApiToken(secret) : null;
      if (!actor) {
        throw new AppError(
          "UNAUTHENTICATED",
          secret
            ? "This API token is not valid: it may have been revoked or have expired."
            : "Send a personal API token: Authorization: Bearer <token> (create one in Settings).",
        );
      }
      const params = ((await context?.params) ?? {}) as P;
      const answer = await handler({
        actor,
        request,
        params,
        json: () => readJson(request),
        query: () => Object.fromEntries(new URL(request.url).searchParams.entries()),
      });
      return NextResponse.json(answer.body, { status: answer.status ?? 200, headers: { ...noStore, ...answer.headers } });
    } catch (error) {
      return apiError(error, route);
    }
  };
}
