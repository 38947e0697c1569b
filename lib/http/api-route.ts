import { NextResponse } from "next/server";
import type { z } from "zod";
import { authenticateApiToken } from "@/lib/auth/api-tokens";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/lib/stories";
import { parseInput } from "@/lib/stories/validation";
import { errorResponse } from "./render-error";
import type { ApiOperation } from "./v1-operations";

/** What a v1 handler gets: the token's user, the request, the route's checked params and a JSON body reader. */
export interface ApiContext<P> {
  actor: Actor;
  request: Request;
  params: P;
  /** The JSON body; an empty body is `{}`, anything unparseable a 400 VALIDATION naming the body. */
  json(): Promise<unknown>;
  /** The query string as a plain object (repeated keys: the last wins). */
  query(): Record<string, string>;
}

/** A handler's answer: the body its operation declares (`ok.schema`), sent with the operation's success status. */
export interface ApiAnswer<B> {
  body: B;
  headers?: Record<string, string>;
}

type ParamsOf<Op extends ApiOperation> =
  NonNullable<Op["params"]> extends z.ZodObject ? z.output<NonNullable<Op["params"]>> : Record<string, never>;

const noStore = { "cache-control": "no-store" };
/** The body limit of an operation that declares none. */
const MAX_BODY_BYTES = 64 * 1024;
export const API_REALM = "story-sprout";

/** The Bearer secret of a request, or null. */
export function bearer(request: Request): string | null {
  const header = request.headers.get("authorization");
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

const bodyTooLarge = () => new AppError("LIMIT_EXCEEDED", "The request body is too large.");

/**
 * The body as text, read no further than MAX_BODY_BYTES: a 40 MB body is refused after 64 KB, not buffered whole
 * first. A declared Content-Length over the limit is refused before reading anything.
 */
async function readLimitedText(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) throw bodyTooLarge();
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      await reader.cancel().catch(() => {});
      throw bodyTooLarge();
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

async function readJson(request: Request, maxBytes: number): Promise<unknown> {
  const text = await readLimitedText(request, maxBytes);
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
    throw new AppError("VALIDATION", "The request body must be a JSON object.", {
      fields: { body: "Must be a JSON object." },
    });
  }
  return body as Record<string, unknown>;
}

/** How a route names itself in the log: the operation's method and path template, never the values. */
const routeName = (op: Pick<ApiOperation, "method" | "path">) => `${op.method} ${op.path}`;

/**
 * Wraps a REST API v1 handler: authenticates the `Authorization: Bearer <token>` header (a personal API token; no
 * cookie, so another site cannot make a signed-in browser call the API), checks the path params with the
 * operation's schema, answers with the operation's success status, and renders every failure as its JSON error
 * (lib/http/render-error.ts). Handlers return `{ body }` or throw AppErrors.
 */
export function apiRoute<Op extends ApiOperation>(
  op: Op,
  handler: (ctx: ApiContext<ParamsOf<Op>>) => Promise<ApiAnswer<z.input<Op["ok"]["schema"]>>>,
): (request: Request, context: { params: Promise<unknown> }) => Promise<Response> {
  const route = routeName(op);
  return async (request, context) => {
    try {
      const answer = await handler(await apiContext(op, request, context));
      return NextResponse.json(answer.body, { status: op.ok.status, headers: { ...noStore, ...answer.headers } });
    } catch (error) {
      return errorResponse(error, { route }, { bearerRealm: API_REALM });
    }
  };
}

/**
 * Like apiRoute for an operation that answers with a file (`ok.media`): the handler returns the Response itself
 * (a streamed body with its content type and disposition); failures before it are the same JSON errors.
 */
export function apiFileRoute<Op extends ApiOperation>(
  op: Op,
  handler: (ctx: ApiContext<ParamsOf<Op>>) => Promise<Response>,
): (request: Request, context: { params: Promise<unknown> }) => Promise<Response> {
  const route = routeName(op);
  return async (request, context) => {
    try {
      return await handler(await apiContext(op, request, context));
    } catch (error) {
      return errorResponse(error, { route }, { bearerRealm: API_REALM });
    }
  };
}

/** Authenticates the bearer token and checks the path params: what every v1 handler starts from. */
async function apiContext<Op extends ApiOperation>(
  op: Op,
  request: Request,
  context: { params: Promise<unknown> },
): Promise<ApiContext<ParamsOf<Op>>> {
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
  const raw = (await context?.params) ?? {};
  const params = (op.params ? parseInput(op.params, raw) : {}) as ParamsOf<Op>;
  return {
    actor,
    request,
    params,
    json: () => readJson(request, op.body?.maxBytes ?? MAX_BODY_BYTES),
    query: () => Object.fromEntries(new URL(request.url).searchParams.entries()),
  };
}
