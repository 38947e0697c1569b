import http from "node:http";
import https from "node:https";

/**
 * A minimal JSON POST over node:http with keep-alive: for the engine's many small calls to the app it costs a
 * fraction of fetch() (undici) per request, which shows directly in the per-step overhead.
 */
const agents = {
  "http:": new http.Agent({ keepAlive: true }),
  "https:": new https.Agent({ keepAlive: true }),
};

export interface PostResponse {
  status: number;
  header(name: string): string | null;
  text: string;
}

export class PostError extends Error {
  constructor(
    message: string,
    /** Node's error code: ECONNREFUSED, ECONNRESET, ETIMEDOUT… */
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = "PostError";
  }
}

function postOnce(url: URL, headers: Record<string, string>, body: string, timeoutMs: number): Promise<PostResponse> {
  const transport = url.protocol === "https:" ? https : http;
  const agent = url.protocol === "https:" ? agents["https:"] : agents["http:"];
  return new Promise((resolve, reject) => {
    const req = transport.request(
      url,
      { method: "POST", agent, headers: { ...headers, "content-length": Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", (error) => reject(new PostError(error.message, (error as NodeJS.ErrnoException).code)));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            header: (name) => {
              const value = res.headers[name.toLowerCase()];
              return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
            },
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    req.setTimeout(timeoutMs, () =>
      req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "ETIMEDOUT" })),
    );
    req.on("error", (error: NodeJS.ErrnoException) => {
      // A kept-alive socket the server closed just as we reused it: the request never reached the app.
      const stale = req.reusedSocket && error.code === "ECONNRESET";
      reject(new PostError(error.message, stale ? "ESTALESOCKET" : error.code));
    });
    req.end(body);
  });
}

export async function postJson(url: URL, headers: Record<string, string>, body: string, timeoutMs: number) {
  try {
    return await postOnce(url, headers, body, timeoutMs);
  } catch (error) {
    if (error instanceof PostError && error.code === "ESTALESOCKET") return postOnce(url, headers, body, timeoutMs);
    throw error;
  }
}
