import crypto from "node:crypto";
import { getDb } from "@/db";
import { buildMetricsRegistry } from "@/lib/ai";
import { log } from "@/lib/log";

export const dynamic = "force-dynamic";

/**
 * Prometheus metrics. Off unless METRICS_TOKEN is set (404, as if the route did not exist); then the scraper must
 * send `Authorization: Bearer <METRICS_TOKEN>`. Metrics say how much the service is used, so they are not public.
 */
export async function GET(request: Request) {
  const expected = process.env.METRICS_TOKEN;
  if (!expected) return new Response("Not found\n", { status: 404, headers: { "cache-control": "no-store" } });
  const header = request.headers.get("authorization") ?? "";
  const given = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim() ?? "";
  if (!tokensMatch(given, expected)) {
    return new Response("Unauthorized\n", {
      status: 401,
      headers: { "www-authenticate": 'Bearer realm="metrics"', "cache-control": "no-store" },
    });
  }
  try {
    const registry = buildMetricsRegistry(await getDb());
    return new Response(await registry.metrics(), {
      headers: { "content-type": registry.contentType, "cache-control": "no-store" },
    });
  } catch (error) {
    log("error", "metrics scrape failed", { error });
    return new Response("Metrics are unavailable right now.\n", { status: 500 });
  }
}

/** Compares digests, which have equal lengths, so the time taken says nothing about the token. */
function tokensMatch(given: string, expected: string): boolean {
  const a = crypto.createHash("sha256").update(given).digest();
  const b = crypto.createHash("sha256").update(expected).digest();
  return crypto.timingSafeEqual(a, b) && given.length > 0;
}
