import type { ClientOptions } from "inngest";
import type { EngineKeys } from "./secrets";
import { EMBEDDED_BASE_URL, transportFetch } from "./transport";

/** What the client needs of the attached engine (an EmbeddedEngine). */
export interface AttachedEngine {
  readonly keys: EngineKeys | undefined;
  /** Whether its workers run (an engine attached only to send events has none) and have registered the functions. */
  readonly status: { running: boolean; synced: boolean; inflight: number };
  fetch(input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response>;
}

/**
 * The one engine this process's Inngest client talks to. It sits on globalThis — the engine's only global — because
 * Next.js bundles instrumentation (which starts the engine) and route handlers (which run the client) separately:
 * each bundle has its own copy of this module, so a module-level variable would not be shared between them.
 */
const SLOT = Symbol.for("embedded-inngest-engine");
const slot = globalThis as unknown as { [SLOT]?: AttachedEngine };

export function processEngine(): AttachedEngine | undefined {
  return slot[SLOT];
}

export function claimProcessEngine(engine: AttachedEngine): void {
  const current = slot[SLOT];
  if (current && current !== engine) throw new Error("Another embedded Inngest engine is attached in this process");
  slot[SLOT] = engine;
}

export function releaseProcessEngine(engine: AttachedEngine): void {
  if (slot[SLOT] === engine) slot[SLOT] = undefined;
}

/**
 * `base` plus what `new Inngest(...)` needs in embedded mode. The SDK runs in its signed ("cloud") mode with the
 * engine's signing key, so the serve endpoint accepts only calls signed by the engine; events go to the attached
 * engine's in-process intake with its event key. The keys are getters because the engine loads them from the
 * database after the client is constructed (an SDK assumption: see tests/engine/sdk-contract.test.ts) — so the
 * result must be passed as is, not spread (a spread would read them once, too early). The fetch is resolved on
 * every call and delegated to the engine object, so the intake runs in the engine's own module instance.
 */
export function embeddedClientOptions<T extends ClientOptions>(base: T): T {
  const options = {
    ...base,
    isDev: false,
    baseUrl: EMBEDDED_BASE_URL,
    fetch: ((input, init) => {
      const engine = processEngine();
      return engine ? engine.fetch(input, init) : transportFetch(undefined, input, init);
    }) as typeof fetch,
  };
  return Object.defineProperties(options, {
    signingKey: { enumerable: true, get: () => processEngine()?.keys?.signingKey },
    eventKey: { enumerable: true, get: () => processEngine()?.keys?.eventKey },
  });
}
