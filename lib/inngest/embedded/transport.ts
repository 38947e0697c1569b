import { receiveCheckpoint } from "./checkpoint";
import { IntakeError } from "./intake";
import type { EngineKeys } from "./secrets";
import { sameSecret } from "./signing";

/**
 * The Inngest client's base URL in embedded mode. Nothing listens on it: the client's fetch hands these requests to
 * the engine in-process, and `.invalid` guarantees that a request which somehow escapes fails at once instead of
 * reaching a real host.
 */
export const EMBEDDED_BASE_URL = "http://inngest-embedded.invalid/";

/** What the transport hands a send to: the engine's keys (once loaded) and its intake. */
export interface IntakeTarget {
  readonly keys: EngineKeys | undefined;
  receive(events: unknown, idSeed: string | null): Promise<string[]>;
}

/** Inngest's limit for one send; larger payloads belong in the database, not in events. */
const MAX_BODY_BYTES = 3 * 1024 * 1024;

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

async function bodyText(body: unknown): Promise<string> {
  if (typeof body === "string") return body;
  if (body === undefined || body === null) return "";
  return new Response(body as BodyInit).text();
}

/**
 * The client's `fetch` in embedded mode. `inngest.send()` (and step.sendEvent) post to
 * `<EMBEDDED_BASE_URL>e/<event key>`; this hands the request to the engine's intake in-process instead of over
 * the network, so the intake is not an HTTP endpoint anyone could reach. The event key is still checked. Every
 * other URL goes to the real fetch. `target` is undefined when no engine is attached in this process.
 */
export async function transportFetch(
  target: IntakeTarget | undefined,
  input: Parameters<typeof fetch>[0],
  init?: RequestInit,
): Promise<Response> {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  if (!url.startsWith(EMBEDDED_BASE_URL)) return fetch(input, init);

  const path = new URL(url).pathname;
  const checkpoint = /^\/v1\/checkpoint\/([^/]+)\/async$/.exec(path);
  if (checkpoint && (init?.method ?? "GET").toUpperCase() === "POST") {
    let body: unknown;
    try {
      body = JSON.parse(await bodyText(init?.body));
    } catch {
      return json(400, { error: "A checkpoint must be JSON", status: 400 });
    }
    const headers = new Headers(init?.headers);
    const answer = await receiveCheckpoint(decodeURIComponent(checkpoint[1]!), headers.get("authorization"), body);
    // The SDK reads only the status of an accepted checkpoint (api.js checkpointStepsAsync): a JSON body would cost a
    // stream per step for nothing.
    if (answer.status === 200) return new Response(null, { status: 200 });
    return json(answer.status, { error: answer.message, status: answer.status });
  }
  const match = /^\/e\/([^/]+)$/.exec(path);
  if (!match || (init?.method ?? "GET").toUpperCase() !== "POST") {
    return json(404, { error: `The embedded Inngest engine does not serve ${path}`, status: 404 });
  }
  const keys = target?.keys;
  if (!target || !keys) {
    return json(503, { error: "The embedded Inngest engine is not started in this process", status: 503 });
  }
  if (!sameSecret(decodeURIComponent(match[1]!), keys.eventKey)) {
    return json(401, { error: "Event key not found", status: 401 });
  }
  const text = await bodyText(init?.body);
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) return json(413, { error: "Event payload too large", status: 413 });
  const seed = new Headers(init?.headers).get("x-inngest-event-id-seed");
  try {
    const ids = await target.receive(JSON.parse(text), seed);
    return json(200, { ids, status: 200 });
  } catch (error) {
    if (error instanceof IntakeError) return json(error.status, { error: error.message, status: error.status });
    if (error instanceof SyntaxError) return json(400, { error: "Events must be JSON", status: 400 });
    throw error;
  }
}
