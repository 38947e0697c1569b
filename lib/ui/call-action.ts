import type { ActionResult } from "@/lib/action-result";

/**
 * Calls a server action and never throws: a network failure or a crashed server becomes an ordinary error result,
 * so that every pending state in the UI ends (nothing spins forever) and the author's input stays where it was.
 */
export async function callAction<T>(run: () => Promise<ActionResult<T>>): Promise<ActionResult<T>> {
  try {
    const result = await run();
    if (result && typeof result === "object" && "ok" in result) return result;
    return unreachable();
  } catch {
    return unreachable();
  }
}

function unreachable(): { ok: false; error: { code: "INTERNAL"; message: string } } {
  return {
    ok: false,
    error: {
      code: "INTERNAL",
      message: "We couldn't reach the server. Check your connection and try again — nothing you typed was lost.",
    },
  };
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
