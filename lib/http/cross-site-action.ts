/**
 * A server action posted from another site. Next refuses it too, but by throwing, which answers 500 and logs an
 * error for what is an attack, not a fault; the proxy answers 403 first. Same rule as Next's check: the Origin's host
 * must be the host the request came to (the forwarded host when behind a proxy). A request without Origin passes, as
 * in Next (browsers send Origin on every cross-site POST); Origin "null" (a sandboxed frame) is cross-site.
 */
export function isCrossSiteAction(request: { method: string; headers: Headers }): boolean {
  if (request.method !== "POST" || !request.headers.has("next-action")) return false;
  const origin = request.headers.get("origin");
  if (origin === null) return false;
  const host = request.headers.get("x-forwarded-host")?.split(",")[0]?.trim() || request.headers.get("host");
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}
