import { PostError, postJson, type PostResponse } from "./http-post";
import { LocalServeError, serveLocally, type LocalServeHandler } from "./local-serve";
import { canonicalBody, signBody } from "./signing";
import type { MemoEntry } from "./item";
import { toSerializedError, type EventPayload, type OutgoingOp, type SerializedError } from "./types";

/** How the app answered one call, reduced to what the engine acts on. */
export type CallOutcome =
  | { kind: "complete"; status: number; output: unknown }
  | { kind: "ops"; status: number; ops: OutgoingOp[] }
  | {
      kind: "error";
      status: number | null;
      /** false when the SDK said X-Inngest-No-Retry: true (NonRetriableError, or the last attempt). */
      retriable: boolean;
      /** The app could not be reached at all: the call never started, so it does not use up an attempt. */
      unreachable: boolean;
      error: SerializedError;
    };

export interface CallResult {
  outcome: CallOutcome;
  /** Retry-After from the SDK (RetryAfterError): seconds or an ISO date. */
  retryAfter: string | null;
}

export interface CallRequest {
  serveUrl: string;
  functionId: string;
  /** "step" for discovery, or the hashed id of the step to run. */
  stepId: string;
  body: unknown;
  signingKey: string;
  timeoutMs: number;
  /**
   * The app's serve handler in this process: the same signed request (URL, headers, body) is handed to it directly
   * instead of being POSTed to serveUrl. Everything after (the answer's mapping to an outcome) is the same.
   */
  localServe?: LocalServeHandler;
}

export interface CallBodyInput {
  runId: string;
  attempt: number;
  /** The SDK decides between a retriable StepError and a final StepFailed from this. */
  maxAttempts: number;
  event: EventPayload;
  /** Memoized steps in completion order. */
  steps: MemoEntry[];
  /** A call for one planned step (true) or a discovery call (false). */
  targeted: boolean;
  /**
   * Lets the SDK run several steps in this call, checkpointing each (checkpoint.ts): the function's id and the `qi_id`
   * its checkpoints come back with. Only for discovery calls handed to the serve handler in this process.
   */
  checkpoint?: { functionId: string; queueItemId: string };
}

/**
 * The body of a call, built by hand as the SDK's serve handler reads it (not public API; each field is an assumption
 * checked by tests/engine/sdk-contract.test.ts): memoized steps inline (`use_api: false`), their completion order in
 * `ctx.stack` and protocol `version: 2`. Without `ctx.fn_id` the SDK runs one step per request: a discovery call lets
 * it run a single new step at once (saves a call), a targeted call runs just that step. With `ctx.fn_id` and
 * `ctx.qi_id` (`checkpoint`) a discovery call runs step after step, checkpointing each, until the function returns or
 * waits.
 */
export function callBody(input: CallBodyInput) {
  const stack = input.steps.map(([id]) => id);
  return {
    event: input.event,
    events: [input.event],
    steps: Object.fromEntries(
      input.steps.map(([id, status, data, error]) => [id, status === "completed" ? { data: data ?? null } : { error }]),
    ),
    ctx: {
      run_id: input.runId,
      attempt: input.attempt,
      max_attempts: input.maxAttempts,
      disable_immediate_execution: input.targeted,
      use_api: false,
      stack: { stack, current: Math.max(0, stack.length - 1) },
      ...(input.checkpoint && !input.targeted
        ? { fn_id: input.checkpoint.functionId, qi_id: input.checkpoint.queueItemId }
        : {}),
    },
    version: 2,
  };
}

/**
 * Failures to reach the app at all: the call is made again with the same attempt. A reset connection is one of them:
 * the app dropped it (restarting, or a proxy in between) without answering, and since every step is safe to repeat,
 * calling again costs nothing, whereas counting it would spend a retry the function never used.
 */
const UNREACHABLE = ["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"];

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; text: string } {
  try {
    return { ok: true, value: text ? JSON.parse(text) : null };
  } catch {
    return { ok: false, text };
  }
}

/**
 * Sends one signed call to the app's serve endpoint, `?fnId=<function>&stepId=<step>`: POSTed over HTTP, or handed
 * to the in-process handler when there is one.
 */
export async function callApp(req: CallRequest): Promise<CallResult> {
  const url = new URL(req.serveUrl);
  url.searchParams.set("fnId", req.functionId);
  url.searchParams.set("stepId", req.stepId);
  const text = canonicalBody(req.body);
  let res: PostResponse;
  try {
    const headers = { "content-type": "application/json", "x-inngest-signature": signBody(text, req.signingKey) };
    res = req.localServe
      ? await serveLocally(req.localServe, url, { method: "POST", headers, body: text }, req.timeoutMs)
      : await postJson(url, headers, text, req.timeoutMs);
  } catch (error) {
    if (error instanceof LocalServeError) {
      // The handler threw rather than answered — what a server turns into a 500. The call reached the app, so it
      // counts as a (retriable) failed attempt, not as the app being unreachable.
      return {
        outcome: {
          kind: "error",
          status: 500,
          retriable: true,
          unreachable: false,
          error: { name: "InngestCallError", message: `The app's serve handler threw: ${error.message}` },
        },
        retryAfter: null,
      };
    }
    const code = error instanceof PostError ? error.code : undefined;
    return {
      outcome: {
        kind: "error",
        status: null,
        retriable: true,
        unreachable: UNREACHABLE.includes(code ?? ""),
        error: { name: "InngestCallError", message: `Calling the app failed: ${(error as Error).message}` },
      },
      retryAfter: null,
    };
  }
  const retryAfter = res.header("retry-after");
  const noRetry = res.header("x-inngest-no-retry") === "true";
  const body = parseJson(res.text);

  if (res.status === 200 && body.ok)
    return { outcome: { kind: "complete", status: 200, output: body.value }, retryAfter };
  if (res.status === 206 && body.ok && Array.isArray(body.value)) {
    return { outcome: { kind: "ops", status: 206, ops: body.value as OutgoingOp[] }, retryAfter };
  }
  let error: SerializedError;
  if (res.status === 401) {
    error = {
      name: "InngestSignatureRejected",
      message: "The app rejected the engine's signed call (401): are both using the same signing key?",
    };
  } else if (body.ok && body.value && typeof body.value === "object") {
    error = toSerializedError(body.value);
  } else {
    const detail = body.ok ? JSON.stringify(body.value) : body.text.slice(0, 500);
    error = { name: "InngestCallError", message: `The app answered ${res.status}: ${detail}` };
  }
  return { outcome: { kind: "error", status: res.status, retriable: !noRetry, unreachable: false, error }, retryAfter };
}
