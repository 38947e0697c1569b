import crypto from "node:crypto";
import { EMBEDDED_BASE_URL } from "../mode";
import { basicContext } from "./context";
import { IntakeError, receiveEvents } from "./intake";
import { embeddedRuntime } from "./state";

/** Inngest's limit for one send; larger payloads belong in the database, not in events. */
const MAX_BODY_BYTES = 3 * 1024 * 1024;

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
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
 * other URL goes to the real fetch.
 */
export const embeddedFetch: typeof fetch = async (input, init) => {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  if (!url.startsWith(EMBEDDED_BASE_URL)) return fetch(input, init);

  const path = new URL(url).pathname;
  const match = /^\/e\/([^/]+)$/.exec(path);
  if (!match || (init?.method ?? "GET").toUpperCase() !== "POST") {
    return json(404, { error: `The embedded Inngest engine does not serve ${path}`, status: 404 });
  }
  const runtime = embeddedRuntime();
  if (!runtime.secrets || !runtime.handle) {
    return json(503, { error: "The embedded Inngest engine is not started in this process", status: 503 });
  }
  if (!sameSecret(decodeURIComponent(match[1]!), runtime.secrets.eventKey)) {
    return json(401, { error: "Event key not found", status: 401 });
  }
  const text = await bodyText(init?.body);
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) return json(413, { error: "Event payload too large", status: 413 });
  const seed = new Headers(init?.headers).get("x-inngest-event-id-seed");
  try {
    const ids = await receiveEvents(basicContext(runtime.handle.db, runtime.log), JSON.parse(text), seed);
    return json(200, { ids, status: 200 });
  } catch (error) {
    if (error instanceof IntakeError) return json(error.status, { error: error.message, status: error.status });
    if (error instanceof SyntaxError) return json(400, { error: "Events must be JSON", status: 400 });
    throw error;
  }
};
