import type { PublicError } from "@/lib/errors";

/** Server actions answer with a value or a public error: thrown errors would reach the browser redacted. */
export type ActionResult<T> = { ok: true; data: T } | { ok: false; error: PublicError };
