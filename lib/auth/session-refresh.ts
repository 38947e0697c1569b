/**
 * Requests the Next.js router makes in the background (prefetches, RSC payloads, server actions) carry one of these
 * headers; a document load carries none.
 */
export function isBackgroundRequest(headers: Headers): boolean {
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
