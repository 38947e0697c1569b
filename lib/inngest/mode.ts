/**
 * Which Inngest runs the app's functions. "embedded" (the default) is the engine in lib/inngest/embedded, inside the
 * Node server process; "external" is the Inngest dev server, Inngest Cloud or a self-hosted `inngest start`,
 * chosen by setting the SDK's own variables. Switching is configuration only: the functions do not change.
 */
export type InngestMode = "embedded" | "external";

/** Any of these means an external Inngest is configured, so the embedded engine stays off. */
const EXTERNAL_INNGEST_VARIABLES = [
  "INNGEST_DEV",
  "INNGEST_EVENT_KEY",
  "INNGEST_SIGNING_KEY",
  "INNGEST_BASE_URL",
  "INNGEST_API_BASE_URL",
  "INNGEST_EVENT_API_BASE_URL",
] as const;

export function inngestMode(env: Record<string, string | undefined> = process.env): InngestMode {
  return EXTERNAL_INNGEST_VARIABLES.some((name) => env[name] !== undefined && env[name] !== "")
    ? "external"
    : "embedded";
}

/** The app's serve endpoint as the engine calls it: INNGEST_SERVE_URL, or this server on loopback. */
export function embeddedServeUrl(env: Record<string, string | undefined> = process.env): string {
  if (env.INNGEST_SERVE_URL) return env.INNGEST_SERVE_URL;
  return `http://127.0.0.1:${env.PORT || "3000"}/api/inngest`;
}
