import type { ActionResult } from "@/lib/action-result";
import { currentActor } from "@/lib/auth";
import { errorResult } from "@/lib/http/render-error";
import type { Actor } from "@/lib/stories";

/**
 * Runs one server action: finds who is asking (the domain decides what they may do), and turns every failure into
 * a public error (lib/http/render-error.ts: unexpected failures are logged with their cause and reach the user only
 * as INTERNAL). Next's `redirect()` and `notFound()` are thrown on, not reported as failures.
 */
export async function runAction<T>(name: string, fn: (actor: Actor | null) => Promise<T>): Promise<ActionResult<T>> {
  try {
    const actor = await currentActor();
    return { ok: true, data: await fn(actor) };
  } catch (error) {
    return errorResult(error, { action: name });
  }
}
