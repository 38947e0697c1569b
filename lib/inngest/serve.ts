import type { InngestFunction } from "inngest";
import { inngest } from "./client";
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
