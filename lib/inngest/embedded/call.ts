import { canonicalBody, signBody } from "./signing";
import { toSerializedError, type OutgoingOp, type SerializedError } from "./types";

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
}

function connectionRefused(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } })?.cause;
  return ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"].includes(cause?.code ?? "");
}

async function parseJson(res: Response): Promise<{ ok: true; value: unknown } | { ok: false; text: string }> {
  const text = await res.text();
  try {
    return { ok: true, value: text ? JSON.parse(text) : null };
  } catch {
    return { ok: false, text };
  }
}

/** POSTs one signed call to the app's serve endpoint: `?fnId=<function>&stepId=<step>`. */
export async function callApp(req: CallRequest): Promise<CallResult> {
  const url = new URL(req.serveUrl);
  url.searchParams.set("fnId", req.functionId);
  url.searchParams.set("stepId", req.stepId);
  const text = canonicalBody(req.body);
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-inngest-signature": signBody(text, req.signingKey) },
      body: text,
      signal: AbortSignal.timeout(req.timeoutMs),
    });
  } catch (error) {
    const unreachable = connectionRefused(error);
    const message = error instanceof Error ? `${error.message}${(error.cause as Error | undefined)?.message ? `: ${(error.cause as Error).message}` : ""}` : String(error);
    return {
      outcome: { kind: "error", status: null, retriable: true, unreachable, error: { name: "InngestCallError", message: `Calling the app failed: ${message}` } },
      retryAfter: null,
    };
  }
  const retryAfter = res.headers.get("retry-after");
  const noRetry = res.headers.get("x-inngest-no-retry") === "true";
  const body = await parseJson(res);

  if (res.status === 200 && body.ok) return { outcome: { kind: "complete", status: 200, output: body.value }, retryAfter };
  if (res.status === 206 && body.ok && Array.isArray(body.value)) {
    return { outcome: { kind: "ops", status: 206, ops: body.value as OutgoingOp[] }, retryAfter };
  }
  let error: SerializedError;
  if (res.status === 401) {
    error = { name: "InngestSignatureRejected", message: "The app rejected the engine's signed call (401): are both using the same signing key?" };
  } else if (body.ok && body.value && typeof body.value === "object") {
    error = toSerializedError(body.value);
  } else {
    error = { name: "InngestCallError", message: `The app answered ${res.status}: ${body.ok ? JSON.stringify(body.value) : body.text.slice(0, 500)}` };
  }
  return { outcome: { kind: "error", status: res.status, retriable: !noRetry, unreachable: false, error }, retryAfter };
}
