import crypto from "node:crypto";
import { getDb } from "@/db";
import { buildMetricsRegistry } from "@/lib/ai";
import { AppError } from "@/lib/errors";
import { createEmbeddedEngine } from "@/lib/inngest/embedded";
import { inngestMode } from "@/lib/inngest/mode";
import { errorResponse } from "@/lib/http/render-error";

export const dynamic = "force-dynamic";

const ROUTE = "GET /api/metrics";

/**
 * Prometheus metrics. Off unless METRICS_TOKEN is set (404, as if the route did not exist); then the scraper must
 * send `Authorization: Bearer <METRICS_TOKEN>`. Metrics say how much the service is used, so they are not public.
 */
export async function GET(request: Request) {
  const expected = process.env.METRICS_TOKEN;
  if (!expected) return errorResponse(new AppError("NOT_FOUND"), { route: ROUTE });
  const header = request.headers.get("authorization") ?? "";
  const given = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim() ?? "";
  if (!tokensMatch(given, expected)) {
    return errorResponse(
      new AppError("UNAUTHENTICATED", "Send the metrics token: Authorization: Bearer <METRICS_TOKEN>."),
      { route: ROUTE },
      { bearerRealm: "metrics" },
    );
  }
  try {
    const db = await getDb();
    // The embedded engine's retries; with an external Inngest the counter stays empty (Inngest reports its own).
    const engine = inngestMode() === "embedded" ? createEmbeddedEngine({ db }) : null;
    const registry = buildMetricsRegistry(db, async () => (engine ? engine.query.retriesByFunction() : []));
    return new Response(await registry.metrics(), {
      headers: { "content-type": registry.contentType, "cache-control": "no-store" },
    });
  } catch (error) {
    return errorResponse(error, { route: ROUTE });
  }
}

/** Compares digests, which have equal lengths, so the time taken says nothing about the token. */
function tokensMatch(given: string, expected: string): boolean {
  const a = crypto.createHash("sha256").update(given).digest();
  const b = crypto.createHash("sha256").update(expected).digest();
  return crypto.timingSafeEqual(a, b) && given.length > 0;
}
