export const dynamic = "force-dynamic";

/** Liveness for load balancers and orchestrators: the process answers HTTP. Touches nothing else on purpose. */
export function GET() {
  return Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
}
