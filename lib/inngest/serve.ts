import type { InngestFunction } from "inngest";
import { serve } from "inngest/next";
import type { NextRequest } from "next/server";
import { inngest } from "./client";
import type { LocalServeHandler } from "./embedded";
import { inngestMode } from "./mode";

/**
 * Options for `serve()`, shared by the Next route and the engine's tests so both serve functions the same way.
 * In embedded mode an unsigned sync (PUT) is refused like every other unsigned call: only the engine, which holds
 * the signing key, can register or run functions.
 */
export function serveOptions(functions: InngestFunction.Any[]) {
  return {
    client: inngest,
    functions,
    ...(inngestMode() === "embedded" ? { enableUnauthedSync: false } : {}),
  };
}

/**
 * The route's handler (`serve` from "inngest/next", same options) as a plain function, for the embedded engine to
 * call in this process (start-engine.ts). Called with the request alone it dispatches on the request's method; the
 * adapter reads only what a WHATWG Request has (method, url, headers, text()), though its type names NextRequest.
 */
export function localServeHandler(functions: InngestFunction.Any[]): LocalServeHandler {
  const handler = serve(serveOptions(functions));
  return (request) => handler(request as NextRequest, undefined);
}
