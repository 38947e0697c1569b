/**
 * The header the server stamps with the connection's peer address on every request (lib/server/peer-address.ts),
 * replacing whatever a client sent under that name. Next itself only fills X-Forwarded-For when it is absent, so a
 * client talking to the app directly could put anything there.
 */
export const PEER_ADDRESS_HEADER = "x-story-sprout-peer";

/**
 * Who is asking, for per-address limits. Behind a reverse proxy (TRUST_PROXY=true) it is the last X-Forwarded-For
 * entry, the one the proxy appended for the connection it received (one trusted hop); otherwise the connection's own
 * peer address.
 */
export function clientAddress(headers: Headers, env: Record<string, string | undefined> = process.env): string {
  if (env.TRUST_PROXY === "true") {
    const hops = (headers.get("x-forwarded-for") ?? "").split(",").map((hop) => hop.trim());
    const last = hops.filter(Boolean).at(-1);
    if (last) return last;
  }
  return headers.get(PEER_ADDRESS_HEADER) || "unknown";
}
