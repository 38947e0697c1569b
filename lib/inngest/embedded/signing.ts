import crypto from "node:crypto";
import canonicalize from "canonicalize";

/**
 * Request signing as the SDK verifies it in cloud mode: `X-Inngest-Signature: t=<unix s>&s=<hex>` where hex is
 * HMAC-SHA256, keyed with the signing key minus its `signkey-<env>-` prefix, over the RFC 8785 canonical JSON of
 * the body followed by t. The engine sends the canonical text itself as the body, so what it signs is byte for
 * byte what the SDK re-canonicalizes.
 */
export function canonicalBody(body: unknown): string {
  const text = canonicalize(body);
  if (text === undefined) throw new Error("Cannot serialize request body");
  return text;
}

export function signBody(bodyText: string, signingKey: string, nowMs = Date.now()): string {
  const t = Math.round(nowMs / 1000).toString();
  const key = signingKey.replace(/^signkey-[\w]+-/, "");
  const s = crypto
    .createHmac("sha256", key)
    .update(bodyText + t)
    .digest("hex");
  return `t=${t}&s=${s}`;
}

export function randomSigningKey(): string {
  return `signkey-embedded-${crypto.randomBytes(32).toString("hex")}`;
}

export function randomEventKey(): string {
  return crypto.randomBytes(32).toString("hex");
}

/** Compares two secrets in constant time. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
