import crypto from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { APICallError } from "@ai-sdk/provider";

/**
 * Faults the offline model can be asked for, so the browser tests can watch retries and failures: only when
 * OFFLINE_MODEL_FAULTS=1 (scripts/e2e-server.sh sets it; never in use otherwise), a prompt containing
 * "[offline fault: unavailable N]" fails its first N calls as an unavailable provider (HTTP 503) would, then answers.
 * Calls are counted per prompt, in this process.
 *
 * "[offline fault: hold NAME]" makes the answer stop after its first word until a file NAME appears in
 * OFFLINE_MODEL_HOLD_DIR (set by playwright.config.ts for the runner and the server), so a test can act while the AI is
 * surely still writing and then let it finish, instead of racing the model's typing speed.
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

const HOLD = /\[offline fault: hold ([A-Za-z0-9_-]+)\]/;
const HOLD_POLL_MS = 100;
// A test that never releases its hold must not leave a job running for ever: the answer goes on after this.
const HOLD_LIMIT_MS = 120_000;

/** Resolves when the hold the prompt asks for is released (at once when it asks for none); rejects when aborted. */
export async function offlineHold(
  prompt: string,
  signal?: AbortSignal,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  if (env.OFFLINE_MODEL_FAULTS !== "1" || !env.OFFLINE_MODEL_HOLD_DIR) return;
  const match = HOLD.exec(prompt);
  if (!match) return;
  const release = path.join(env.OFFLINE_MODEL_HOLD_DIR, match[1] ?? "");
  const limit = Date.now() + HOLD_LIMIT_MS;
  while (!existsSync(release) && Date.now() < limit) {
    signal?.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, HOLD_POLL_MS));
  }
  signal?.throwIfAborted();
}
