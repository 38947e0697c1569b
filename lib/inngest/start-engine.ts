import { getDbHandle } from "@/db";
import { aiConcurrency } from "@/lib/ai/concurrency";
import { copyEngineTraces } from "@/lib/ai/jobs/engine-trace";
import { log } from "@/lib/log";
import {
  createEmbeddedEngine,
  processEngine,
  type EmbeddedEngine,
  type EngineLogger,
  type LocalServeHandler,
} from "./embedded";
import { embeddedServeUrl, inngestMode } from "./mode";
import { retentionMsFromEnv } from "./retention-config";

/** The engine's log lines go through the app's logger, tagged as the engine's. */
const engineLogger: EngineLogger = (level, msg, fields) => log(level, msg, { component: "inngest", ...fields });

let started: EmbeddedEngine | undefined;

/**
 * Whether the engine hands its calls to the serve handler in this process instead of POSTing them to the serve URL
 * on loopback: the same handler and signed request, without the socket and Next's router. Off in development, where
 * the route's code reloads on change but this copy (built with instrumentation) would not; off when
 * INNGEST_SERVE_URL points the engine elsewhere; INNGEST_EMBEDDED_IN_PROCESS=0 or 1 decides explicitly.
 */
export function callsInProcess(env: Record<string, string | undefined> = process.env): boolean {
  const setting = env.INNGEST_EMBEDDED_IN_PROCESS;
  if (setting === "0" || setting === "false") return false;
  if (setting === "1" || setting === "true") return true;
  return env.NODE_ENV !== "development" && !env.INNGEST_SERVE_URL;
}

/** Workers beside the model jobs' limit for everything else: landings, background children, illustrations, crons. */
const WORKERS_BESIDE_MODEL_JOBS = 8;
/** The engine's own default (EngineTiming.workers): the floor when the model jobs' limit is small. */
const MIN_WORKERS = 16;

/**
 * Calls the engine makes at once (INNGEST_EMBEDDED_WORKERS overrides it). A model job holds its worker for as long as
 * its model streams, so with fewer workers than AI_CONCURRENCY the limit is never reached: at 20 Generates at once and
 * 16 workers, four waited for a whole run to end before their first step (bench/results/ttft.md). So: the model jobs'
 * limit plus room for the rest, never fewer than the engine's default.
 */
export function engineWorkers(env: Record<string, string | undefined> = process.env): number {
  const override = Number(env.INNGEST_EMBEDDED_WORKERS);
  if (env.INNGEST_EMBEDDED_WORKERS && Number.isInteger(override) && override > 0) return override;
  return Math.max(MIN_WORKERS, aiConcurrency(env) + WORKERS_BESIDE_MODEL_JOBS);
}

/**
 * Whether in-process calls let the SDK run several steps each, checkpointing every step to the engine (docs/ENGINE.md,
 * "Checkpointing"). On by default; INNGEST_EMBEDDED_CHECKPOINTING=0 turns it off (one step per call, as over HTTP).
 */
export function checkpointingOn(env: Record<string, string | undefined> = process.env): boolean {
  const setting = env.INNGEST_EMBEDDED_CHECKPOINTING;
  return setting !== "0" && setting !== "false";
}

/**
 * The route's serve() handler, built here. Instrumentation is bundled apart from the route, so this is a second
 * instance of the same functions and client: what they share with the route's copy (database, live update hubs,
 * stream slots, the attached engine) sits on globalThis.
 */
async function inProcessHandler(): Promise<LocalServeHandler> {
  const [{ localServeHandler }, { functions }] = await Promise.all([
    import("./serve"),
    import("@/app/api/inngest/functions"),
  ]);
  return localServeHandler(functions);
}

/**
 * Called once at server start (lib/server/start.ts). In embedded mode it starts the engine in this process on the
 * app's database; it does not wait for the first sync, because the server only starts listening after start-up
 * finishes. A failure is logged, not thrown: the app still serves pages, and background work resumes on the next start.
 */
export async function startInngest(env: Record<string, string | undefined> = process.env): Promise<void> {
  if (inngestMode(env) !== "embedded") {
    log("info", "inngest: external Inngest configured, embedded engine off");
    return;
  }
  if (processEngine()) return;
  const serveUrl = embeddedServeUrl(env);
  const workers = engineWorkers(env);
  const { retentionMs, problem } = retentionMsFromEnv(env);
  if (problem) log("warn", `inngest: ${problem}`);
  try {
    const handle = await getDbHandle();
    const engine = createEmbeddedEngine({
      db: handle.db,
      logger: engineLogger,
      singleProcess: handle.mode === "pglite",
    });
    started = engine;
    const localServe = callsInProcess(env) ? await inProcessHandler() : undefined;
    await engine.start({
      serveUrl,
      ...(localServe ? { localServe } : {}),
      checkpointing: checkpointingOn(env),
      waitForSync: false,
      workers,
      // The admin's job detail shows a job's runs: they are copied into the ledger before the engine purges them.
      retention: { retentionMs, beforePurge: async (runs, tx) => void (await copyEngineTraces(tx, runs)) },
      // In development functions change while the server runs; pick them up without a restart.
      ...(env.NODE_ENV === "development" ? { resyncIntervalMs: 5000 } : {}),
    });
    log("info", "inngest: embedded engine starting", {
      serveUrl,
      inProcess: localServe !== undefined,
      checkpointing: localServe !== undefined && checkpointingOn(env),
      workers,
    });
  } catch (error) {
    started = undefined;
    log("error", "inngest: embedded engine failed to start", { error });
  }
}

/** At shutdown (lib/server/shutdown.ts): stops claiming, lets calls in flight finish within graceMs, releases leases. */
export async function stopInngest(graceMs: number): Promise<void> {
  const engine = started;
  started = undefined;
  await engine?.stop(graceMs);
}
