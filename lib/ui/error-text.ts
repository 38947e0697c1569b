/**
 * An engine or step error as an admin reads it: its name, code and message, never its stack (which names the
 * server's files) and no absolute file paths inside the message. The full error stays in the server's logs.
 */
const FILE_PATH = /(?:file:\/\/)?(?:\/[\w@.+-]+){2,}\.(?:[cm]?[jt]sx?|json)(?::\d+){0,2}/g;

export function errorText(error: unknown): string {
  if (error === null || error === undefined) return "";
  if (typeof error !== "object") return redactPaths(String(error));
  const e = error as { name?: unknown; message?: unknown; code?: unknown };
  const name = typeof e.name === "string" ? e.name : null;
  const code = typeof e.code === "string" && !String(e.message ?? "").startsWith(e.code) ? e.code : null;
  const message = typeof e.message === "string" ? e.message : null;
  const text = [name, code, message].filter(Boolean).join(": ");
  if (text) return redactPaths(text);
  const withoutStack = JSON.stringify(error, (key, value) => (key === "stack" ? undefined : value));
  return redactPaths(withoutStack.slice(0, 300));
}

function redactPaths(text: string): string {
  return text.replace(FILE_PATH, "[server file]");
}
