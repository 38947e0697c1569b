import type { ActionResult } from "@/lib/action-result";
import { clientFailures, type ClientFailure } from "@/lib/errors";

/**
 * Calls a server action and never throws: a failed request or a fault in the page becomes an ordinary error result,
 * so that every pending state in the UI ends (nothing spins forever) and the author's input stays where it was. The
 * two are told apart: only a request that never got an answer is a connection problem; anything else is logged to
 * the console (it is a bug to report) and says so.
 */
export async function callAction<T>(run: () => Promise<ActionResult<T>>): Promise<ActionResult<T>> {
  let result: ActionResult<T>;
  try {
    result = await run();
  } catch (error) {
    if (isNetworkFailure(error)) return clientFailure("network");
    console.error("server action call failed in the browser", error);
    return clientFailure("client");
  }
  if (result && typeof result === "object" && "ok" in result) return result;
  console.error("server action answered something that is not an action result", result);
  return clientFailure("client");
}

/**
 * fetch rejects with a TypeError when the request cannot be made or gets no answer; browsers word it differently
 * (Chrome "Failed to fetch", Firefox "NetworkError when attempting to fetch resource.", Safari "Load failed"). A
 * TypeError with any other message is a bug, not a network failure. Offline is always a network failure.
 */
export function isNetworkFailure(error: unknown): boolean {
  if (typeof navigator !== "undefined" && navigator.onLine === false) return true;
  return (
    error instanceof TypeError &&
    /failed to fetch|networkerror|load failed|network request failed|fetch failed/i.test(error.message)
  );
}

function clientFailure(reason: ClientFailure): {
  ok: false;
  error: { code: "INTERNAL"; message: string; details: { reason: ClientFailure } };
} {
  return { ok: false, error: { code: "INTERNAL", message: clientFailures[reason], details: { reason } } };
}

/** Field messages from a VALIDATION error (details.fields), if any. */
export function fieldErrors(details: Record<string, unknown> | undefined): Record<string, string> {
  const fields = details?.fields;
  if (!fields || typeof fields !== "object") return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields as Record<string, unknown>)) {
    if (typeof value === "string") out[key] = value;
  }
  return out;
}
