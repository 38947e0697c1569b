import { checkReadiness } from "@/lib/stories";

export const dynamic = "force-dynamic";

/**
 * Readiness: 200 when this instance can serve (database reachable, functions have an engine), 503 otherwise, with
 * each check's result. Unauthenticated like every probe, so it carries counts and ages only.
 */
export async function GET() {
  const readiness = await checkReadiness();
  return Response.json(
    { status: readiness.ready ? "ready" : "unavailable", ...readiness.checks },
    { status: readiness.ready ? 200 : 503, headers: { "cache-control": "no-store" } },
  );
}
