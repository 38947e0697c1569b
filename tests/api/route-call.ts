/** Calls a Next route handler directly, the way Next would: a Request plus `{ params: Promise<…> }`. */
type RouteHandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

/** The error body of every route (errorSchema in lib/http/api-schemas.ts), as far as tests read it. */
export interface ErrorAnswer {
  code: string;
  message: string;
  details?: { fields?: Record<string, string> };
}

/** `Body` is the JSON the test expects back; nothing checks it here (v1-contract.ts holds v1 answers to their schema). */
export async function callRoute<Body = unknown>(
  handler: unknown,
  options: {
    method?: string;
    path?: string;
    token?: string | null;
    body?: unknown;
    rawBody?: string;
    /** A body read as the server reads it, chunk by chunk (for limits that must stop reading early). */
    streamBody?: ReadableStream<Uint8Array>;
    params?: Record<string, string>;
    headers?: Record<string, string>;
  } = {},
): Promise<{ status: number; body: Body; headers: Headers }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | ReadableStream<Uint8Array> | undefined = options.streamBody ?? options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] = "application/json";
  }
  const request = new Request(`http://localhost${options.path ?? "/"}`, {
    method: options.method ?? (body !== undefined ? "POST" : "GET"),
    headers,
    body,
    ...(options.streamBody ? { duplex: "half" } : {}),
  } as RequestInit);
  const response = await (handler as RouteHandler)(request, { params: Promise.resolve(options.params ?? {}) });
  if (response.headers.get("content-type")?.startsWith("text/event-stream")) {
    // An event stream does not end by itself: the caller learns that it opened, and the stream is closed.
    await response.body?.cancel();
    return { status: response.status, body: null as Body, headers: response.headers };
  }
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON (e.g. a stream or HTML): keep the text
  }
  return { status: response.status, body: parsed as Body, headers: response.headers };
}
