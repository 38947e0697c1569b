/**
 * Routes under /api/bench exist only for the benchmarks in bench/ (bench:ttft, bench:engine): they measure the app's
 * own stack (`next start`, its router, its model and engine) beside the durable path, so they must be served by the
 * same build. They are off unless STORY_SPROUT_BENCH_ROUTES=1 — an unauthenticated route that calls the model would
 * otherwise be an open door — and answer 404 like any unknown path.
 */
export function benchRoutesEnabled(): boolean {
  return process.env.STORY_SPROUT_BENCH_ROUTES === "1";
}

export function notFound(): Response {
  return new Response("Not found", { status: 404 });
}
