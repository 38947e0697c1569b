/** Where a visitor goes after signing in when they asked for nothing (or for something not allowed). */
export const DEFAULT_AFTER_SIGN_IN = "/stories";

// A base no real request has: a value that parses to any other origin is not a path of this site.
const BASE = "http://story-sprout.invalid";

/**
 * The same-site path to return to after sign-in, or the default. Parsed with the URL parser, as the browser will parse
 * it, rather than checked as a string: `/\evil.example`, `/\t/evil.example` and the like are other hosts to a
 * browser (backslashes count as slashes, tabs and newlines are dropped), so only a value that resolves to this site's
 * origin is kept, and it is returned in the parser's normal form (path, query, fragment).
 */
export function safeCallbackPath(value: unknown): string {
  if (typeof value !== "string" || !value.startsWith("/")) return DEFAULT_AFTER_SIGN_IN;
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return DEFAULT_AFTER_SIGN_IN;
  }
  if (url.origin !== BASE) return DEFAULT_AFTER_SIGN_IN;
  return `${url.pathname}${url.search}${url.hash}`;
}
