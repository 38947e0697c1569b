import crypto from "node:crypto";
import { APICallError } from "@ai-sdk/provider";

/**
 * Faults the offline model can be asked for, so the browser tests can watch retries and failures: only when
 * OFFLINE_MODEL_FAULTS=1 (scripts/e2e-server.sh sets it; never in use otherwise), a prompt containing
 * "[offline fault: unavailable N]" fails its first N calls as an unavailable provider (HTTP 503) would, then answers.
 * Calls are counted per prompt, in this process.
 */
const FAULT = /\[offline fault: unavailable (\d+)\]/;

const globalForFaults = globalThis as unknown as { __storySproutOfflineFaults?: Map<string, number> };

export function offlineFault(prompt: string, env: NodeJS.ProcessEnv = process.env): Error | null {
  if (env.OFFLINE_MODEL_FAULTS !== "1") return null;
  const match = FAULT.exec(prompt);
  if (!match) return null;
  globalForFaults.__storySproutOfflineFaults ??= new Map();
  const calls = globalForFaults.__storySproutOfflineFaults;
  const key = crypto.createHash("sha256").update(prompt).digest("hex");
  const seen = calls.get(key) ?? 0;
  calls.set(key, seen + 1);
  if (seen >= Number(match[1])) return null;
  return new APICallError({
    message: "Service Unavailable",
    url: "offline://model",
    requestBodyValues: {},
    statusCode: 503,
    responseBody: "offline model: a fault asked for by the prompt",
    isRetryable: true,
  });
}
