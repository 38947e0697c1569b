import { DrizzleQueryError } from "drizzle-orm/errors";

/** Structured one-line JSON logs: easy to grep locally and to ship anywhere. */
type Level = "debug" | "info" | "warn" | "error";

/**
 * An error's message as the log may keep it. A failed query's message carries its parameter values (a new user's
 * password hash, a token hash, an author's text): only the statement is kept.
 */
export function loggableMessage(error: Error): string {
  if (error instanceof DrizzleQueryError) return `Failed query: ${error.query}\nparams: [withheld]`;
  return withoutQueryParams(error.message);
}

/** The same for a message that reached the log as text (an engine step's error, serialised by the SDK). */
function withoutQueryParams(text: string): string {
  return text.replace(/(Failed query: [\s\S]*?\nparams: )[\s\S]*/, "$1[withheld]");
}

function serializeError(error: unknown) {
  if (error instanceof Error) {
    const message = loggableMessage(error);
    // The stack's first lines repeat the message: the withheld parameters must not come back through it.
    const stack = error.stack?.replace(error.message, message);
    return { name: error.name, message, stack };
  }
  return { message: withoutQueryParams(String(error)) };
}

export function log(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
  if (level === "debug" && !process.env.DEBUG) return;
  const entry: Record<string, unknown> = { level, time: new Date().toISOString(), msg };
  for (const [key, value] of Object.entries(fields)) {
    entry[key] =
      key === "error" ? serializeError(value) : typeof value === "string" ? withoutQueryParams(value) : value;
  }
  const line = JSON.stringify(entry);
  if (level === "error" || level === "warn") console.error(line);
  else console.log(line);
}
