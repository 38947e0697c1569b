/**
 * The Content-Security-Policy of every page, with a fresh nonce per request. Next finds the nonce in the request's
 * CSP header and puts it on the scripts it renders; 'strict-dynamic' lets those scripts load the app's chunks, and
 * nothing else runs: an injected <script> or inline handler has no nonce. Styles allow inline attributes (React
 * renders `style` props as attributes on the server); everything else is this origin only. `next dev` evaluates code
 * for hot reloading, so only there 'unsafe-eval' is added.
 */
export function contentSecurityPolicy(nonce: string, dev = process.env.NODE_ENV === "development"): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}
