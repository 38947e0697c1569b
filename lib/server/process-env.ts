/**
 * Replaces `process.env` with a plain copy of itself, once, at server start.
 *
 * Why: Node's `process.env` is backed by the C environment, so enumerating it makes one native lookup per variable.
 * The Inngest SDK enumerates it on every call it handles and on every request it makes (`getProcessEnv()` in
 * `inngest/helpers/env.js`, used for headers, checkpoints and each served call), about a dozen times per durable run.
 * Under `npm run` or `npm start` (about 75 variables) that was 14% of the embedded engine's CPU in `bench:peers`; on
 * a plain object the same enumeration is 8× cheaper. The SDK is not patched; it reads `globalThis.process.env` each
 * time, so handing it a plain object is enough.
 *
 * What changes: reading and writing variables work as before for Next.js, the app and `child_process` (which read the
 * JavaScript object). What no longer happens after this call is the write-through to the C environment: a variable
 * set later in code is not seen by native code that calls getenv(), nor by a `worker_threads` Worker started without
 * an `env` option (it starts from the C environment); setting `TZ` or `UV_THREADPOOL_SIZE` later has no effect, and a
 * value written is no longer turned into a string. Nothing in the app does any of these; set such variables in the
 * environment before the server starts.
 * `PROCESS_ENV_SNAPSHOT=off` keeps Node's own `process.env` (for a dependency that needs such writes, and for
 * side-by-side benches).
 */
const snapshotted = Symbol.for("story-sprout.process-env-snapshotted");

export function snapshotProcessEnv(): void {
  const env = process.env as NodeJS.ProcessEnv & { [snapshotted]?: true };
  if (env[snapshotted] || env.PROCESS_ENV_SNAPSHOT === "off") return;
  const copy: NodeJS.ProcessEnv = { ...env };
  // Not enumerable, so a spread or Object.assign of process.env does not carry the marker into another object.
  Object.defineProperty(copy, snapshotted, { value: true });
  process.env = copy;
}
