import { modelRegistry } from "./model-registry";
import { isIP } from "node:net";

type Env = Record<string, string | undefined>;

/** A remote provider answers many calls at once: the limit guards its rate limits and our bill, not our CPU. */
export const REMOTE_AI_CONCURRENCY = 20;
/** The offline model and a model served on this machine or network share its few cores: more at once only queues. */
export const LOCAL_AI_CONCURRENCY = 4;

/** Loopback, private and link-local addresses, and names that only resolve on this machine or network. */
export function isLocalHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".local") || host.endsWith(".internal"))
    return true;
  if (!host.includes(".") && isIP(host) === 0) return true; // a bare name (a compose service, `ollama`)
  if (isIP(host) === 4) {
    const [a = 0, b = 0] = host.split(".").map(Number);
    return (
      a === 127 ||
      a === 10 ||
      a === 0 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254)
    );
  }
  if (isIP(host) === 6)
    return host === "::1" || host.startsWith("fc") || host.startsWith("fd") || host.startsWith("fe80");
  return false;
}

/**
 * The global limit of model jobs running at once (AI_CONCURRENCY overrides it): 20 for a remote provider (OpenAI,
 * or an OpenAI-compatible server elsewhere), 4 for the offline model or an OpenAI-compatible server on this machine
 * or its network (Ollama, llama.cpp), which would only queue the extra calls on the same cores. Follows the model
 * choice of lib/ai/models.ts; belongs to the model registry (per model) once it exists.
 */
export function aiConcurrency(env: Env = process.env): number {
  const override = Number(env.AI_CONCURRENCY);
  if (env.AI_CONCURRENCY !== undefined && Number.isInteger(override) && override > 0) return override;
  // A registry file states each model's concurrency: the engine's one global limit is their sum, so that every
  // model can run its share at once (a per-model limit in the engine is not built yet).
  if (env.AI_MODELS_FILE) return modelRegistry(env).models.reduce((sum, m) => sum + m.concurrency, 0);
  if (env.OPENAI_BASE_URL) {
    let hostname: string;
    try {
      hostname = new URL(env.OPENAI_BASE_URL).hostname;
    } catch {
      // resolveModel reports a bad URL when the model is built; the cautious limit until then.
      return LOCAL_AI_CONCURRENCY;
    }
    return isLocalHost(hostname) ? LOCAL_AI_CONCURRENCY : REMOTE_AI_CONCURRENCY;
  }
  return env.OPENAI_API_KEY ? REMOTE_AI_CONCURRENCY : LOCAL_AI_CONCURRENCY;
}
