import type { ActionResult } from "@/lib/action-result";
import { currentActor } from "@/lib/auth";
import { isAppError, toPublicError } from "@/lib/errors";
import { log } from "@/lib/log";
import type { Actor } from "@/lib/stories";

/**
 * Runs one server action: finds who is asking (the domain decides what they may do), and turns every failure into
 * a public error. Unexpected failures are logged with their cause and reach the user only as INTERNAL.
 */
export async function runAction<T>(name: string, fn: (actor: Actor | null) => Promise<T>): Promise<ActionResult<T>> {
  try {
    const actor = await currentActor();
    return { ok: true, data: await fn(actor) };
  } catch (error) {
    if (!isAppError(error)) log("error", "action failed", { action: name, error });
    return { ok: false, error: toPublicError(error) };
  }
}
