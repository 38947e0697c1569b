import http from "node:http";
import type { AddressInfo } from "node:net";

/** What the fake server does for one request, in order; the last behaviour repeats. */
export type FakeBehaviour =
  | { kind: "stream"; words: string[]; delayMs?: number }
  | { kind: "status"; status: number; headers?: Record<string, string>; body?: string }
  | { kind: "stall"; words: string[] }
  | { kind: "empty" };

/**
 * A local OpenAI-compatible server (chat completions, streamed as SSE) so that the real `@ai-sdk/openai` provider
 * runs over real HTTP in tests, with scripted failures.
 */
export async function startFakeOpenAI() {
  let script: FakeBehaviour[] = [{ kind: "stream", words: ["Hello ", "world."] }];
  const requests: { body: Record<string, unknown> }[] = [];
  const openSockets = new Set<import("node:net").Socket>();
  // Requests being answered at once, and the most seen since the last script(): concurrency limits are observed here.
  const load = { inFlight: 0, maxInFlight: 0 };

  const server = http.createServer((req, res) => {
    load.inFlight += 1;
    load.maxInFlight = Math.max(load.maxInFlight, load.inFlight);
    res.on("close", () => (load.inFlight -= 1));
    let raw = "";
    req.on("data", (chunk) => (raw += chunk));
    req.on("end", async () => {
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      requests.push({ body });
      const behaviour = script.length > 1 ? script.shift()! : script[0]!;
      if (behaviour.kind === "status") {
        res.writeHead(behaviour.status, { "content-type": "application/json", ...behaviour.headers });
        res.end(behaviour.body ?? JSON.stringify({ error: { message: `fake ${behaviour.status}`, type: "fake" } }));
        return;
      }
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      const chunk = (delta: Record<string, unknown>, finish: string | null = null, usage?: unknown) =>
        `data: ${JSON.stringify({
          id: "chatcmpl-fake",
          object: "chat.completion.chunk",
          created: 0,
          model: String(body.model ?? "fake"),
          choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }],
          ...(usage ? { usage } : {}),
        })}\n\n`;
      res.write(chunk({ role: "assistant", content: "" }));
      const words = behaviour.kind === "empty" ? [] : behaviour.words;
      for (const word of words) {
        if (behaviour.kind === "stream" && behaviour.delayMs)
          await new Promise((r) => setTimeout(r, behaviour.delayMs));
        if (res.destroyed) return;
        res.write(chunk({ content: word }));
      }
      if (behaviour.kind === "stall") return; // never finishes: the client must time out
      res.write(chunk({}, "stop"));
      res.write(
        chunk({}, null, { prompt_tokens: 42, completion_tokens: words.length, total_tokens: 42 + words.length }),
      );
      res.write("data: [DONE]\n\n");
      res.end();
    });
  });
  server.on("connection", (socket) => {
    openSockets.add(socket);
    socket.on("close", () => openSockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    load,
    script(next: FakeBehaviour[]) {
      script = [...next];
      requests.length = 0;
      load.maxInFlight = load.inFlight;
    },
    async close() {
      for (const socket of openSockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
