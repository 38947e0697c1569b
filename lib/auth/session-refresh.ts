/**
 * Whether a request is one the browser makes in the background (prefetches, RSC payloads, server actions) rather than
 * a document load. Next.js removes its router headers (`rsc`, `next-router-prefetch`, …) before the proxy sees a
 * request, so the proxy cannot rely on them: the browser's own Fetch Metadata says it instead — a document load is
 * `Sec-Fetch-Mode: navigate`, a `fetch()` is `cors` or `same-origin`. The router headers and `next-action` (which
 * Next keeps) are still honoured for clients that send no Fetch Metadata.
 */
export function isBackgroundRequest(headers: Headers): boolean {
  const mode = headers.get("sec-fetch-mode");
  if (mode !== null && mode !== "navigate") return true;
  return headers.has("rsc") || headers.has("next-router-prefetch") || headers.has("next-action");
}

const SESSION_COOKIE = /^(__Secure-)?authjs\.session-token(\.\d+)?=/;

/**
 * Removes the session cookie Auth.js re-issues on each request, keeping any other cookie. Without this, a prefetch
 * that started before a sign-out and answered after it would set the session cookie again: the user would look
 * signed out (the sign-out page shows) but the next page load would find them signed in.
 */
export function stripSessionRefresh(response: Response): void {
  const kept = response.headers.getSetCookie().filter((cookie) => !SESSION_COOKIE.test(cookie));
  response.headers.delete("set-cookie");
  for (const cookie of kept) response.headers.append("set-cookie", cookie);
}
