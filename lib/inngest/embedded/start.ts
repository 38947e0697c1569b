import { getDbHandle } from "@/db";
import { log } from "@/lib/log";
import { embeddedServeUrl, inngestMode } from "../mode";
import { runningEngine, startEmbeddedEngine } from "./index";

/**
 * Called once at server start (lib/server/start.ts). In embedded mode it starts the engine in this process; it
 * does not wait for the first sync, because the server only starts listening after start-up finishes. A failure
 * is logged, not thrown: the app still serves pages, and background work resumes on the next start.
 */
export async function startInngest(env: Record<string, string | undefined> = process.env): Promise<void> {
  if (inngestMode(env) !== "embedded") {
    log("info", "inngest: external Inngest configured, embedded engine off");
    return;
  }
  if (runningEngine()) return;
  const serveUrl = embeddedServeUrl(env);
  const workers = Number(env.INNGEST_EMBEDDED_WORKERS);
  try {
    await startEmbeddedEngine({
      handle: await getDbHandle(),
      serveUrl,
      waitForSync: false,
      ...(Number.isInteger(workers) && workers > 0 ? { workers } : {}),
      // In development functions change while the server runs; pick them up without a restart.
      ...(env.NODE_ENV === "development" ? { resyncIntervalMs: 5000 } : {}),
    });
    log("info", "inngest: embedded engine starting", { serveUrl });
  } catch (error) {
    log("error", "inngest: embedded engine failed to start", { error });
  }
}
