import { serve } from "inngest/next";
import { serveOptions } from "@/lib/inngest/serve";
import { benchRoutesEnabled, notFound } from "../gate";
import { benchNoopFunction } from "../noop-function";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * bench:engine's production path: the 3-step no-op function behind the same `serve()` (inngest/next) and options as
 * /api/inngest, so a `next start` whose engine is pointed here (INNGEST_SERVE_URL) runs it the way it runs the app's
 * functions. Off unless STORY_SPROUT_BENCH_ROUTES=1 (see ../gate.ts).
 */
const handlers = serve(serveOptions([benchNoopFunction]));

type Handler = (request: Request, context: unknown) => Promise<Response>;
const gated =
  (handler: Handler): Handler =>
  (request, context) =>
    benchRoutesEnabled() ? handler(request, context) : Promise.resolve(notFound());

export const GET = gated(handlers.GET as Handler);
export const POST = gated(handlers.POST as Handler);
export const PUT = gated(handlers.PUT as Handler);
