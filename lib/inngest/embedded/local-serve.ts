import { PostError, type PostResponse } from "./http-post";

/**
 * The app's `serve()` handler, called in the engine's own process: a WHATWG Request in, its Response out (what
 * `serve` from "inngest/next" returns, called with the request alone). Handing it the request directly skips the
 * loopback socket and the web framework's router, which a profile showed to be most of a step's cost.
 */
export type LocalServeHandler = (request: Request) => Promise<Response>;

/** The handler threw instead of answering: over HTTP the server would have answered 500. */
export class LocalServeError extends Error {
  constructor(readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = "LocalServeError";
  }
}

/**
 * Hands one request to the in-process handler and reads its answer whole, as `postJson` does over HTTP. A call
 * past `timeoutMs` rejects with the same ETIMEDOUT as the HTTP path; the handler cannot be aborted (over HTTP it is
 * not either: destroying the socket does not stop the function), so its late answer is dropped.
 */
export async function serveLocally(
  handler: LocalServeHandler,
  url: URL | string,
  init: { method: string; headers: Record<string, string>; body: string },
  timeoutMs: number,
): Promise<PostResponse> {
  const request = new Request(url, init);
  const answered = (async () => {
    let response: Response;
    try {
      response = await handler(request);
    } catch (error) {
      throw new LocalServeError(error);
    }
    const text = await response.text();
    return {
      status: response.status,
      header: (name: string) => response.headers.get(name),
      text,
    } satisfies PostResponse;
  })();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PostError(`no answer within ${timeoutMs} ms`, "ETIMEDOUT")), timeoutMs);
  });
  try {
    return await Promise.race([answered, timedOut]);
  } finally {
    clearTimeout(timer);
    // A late answer or failure after a timeout has no one waiting for it.
    answered.catch(() => {});
  }
}
