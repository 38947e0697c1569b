/**
 * The local fake model of bench:ttft (docs/DECISIONS "Durable path performance"): an OpenAI-compatible
 * chat-completions server that, for every streamed request, sends its first token 200 ms after the request arrived and
 * then one token every 10 ms, 60 tokens in all. Both paths reach it the way the app reaches a real model
 * (OPENAI_BASE_URL + AI_MODEL, lib/ai/models.ts). Tokens are due at fixed times from the arrival, aimed at one by one,
 * so a busy event loop delays a token without pushing the later ones back.
 *
 * It notes every request (arrival, first token, end) and the tag found in it ("ttft-<tag>"), so the benchmark can
 * tell how long each path took to reach the model.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export const FIRST_TOKEN_MS = 200;
export const TOKEN_INTERVAL_MS = 10;
export const TOKENS = 60;
export const TAG_PREFIX = "ttft-";
const TAG = /ttft-([A-Za-z0-9]+)/;

export const clock = () => performance.timeOrigin + performance.now();

export interface ModelCall {
  tag: string;
  arrived: number;
  firstToken?: number;
  ended?: number;
}

export interface FakeModel {
  baseUrl: string;
  /** Calls by tag, in arrival order (a tag called twice means a retried step). */
  calls: Map<string, ModelCall[]>;
  untagged: number;
  /** The start of the first untagged request's last message, to say what it was. */
  untaggedSample?: string;
  close(): Promise<void>;
}

const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({
    id: "chatcmpl-bench",
    object: "chat.completion.chunk",
    created: Math.floor(Date.now() / 1000),
    model: "bench-fake",
    choices: [{ index: 0, delta, finish_reason: finish }],
  })}\n\n`;

export async function startFakeModel(): Promise<FakeModel> {
  const calls = new Map<string, ModelCall[]>();
  const state: { untagged: number; sample?: string } = { untagged: 0 };
  const server = http.createServer((req, res) => {
    const arrived = clock();
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => {
      body += c;
    });
    req.on("end", () => {
      if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
        res.writeHead(404).end();
        return;
      }
      const tag = TAG.exec(body)?.[1];
      const call: ModelCall = { tag: tag ?? "untagged", arrived };
      if (tag) calls.set(tag, [...(calls.get(tag) ?? []), call]);
      let parsed: {
        stream?: boolean;
        stream_options?: { include_usage?: boolean };
        messages?: { content?: unknown }[];
      } = {};
      try {
        parsed = JSON.parse(body);
      } catch {
        // answered as a stream anyway
      }
      if (!tag) {
        state.untagged++;
        state.sample ??= JSON.stringify(parsed.messages?.at(-1)?.content ?? "").slice(0, 160);
      }
      const usage = { prompt_tokens: Math.ceil(body.length / 4), completion_tokens: TOKENS };
      if (parsed.stream === false) {
        setTimeout(() => {
          call.firstToken = call.ended = clock();
          res.writeHead(200, { "content-type": "application/json" }).end(
            JSON.stringify({
              id: "chatcmpl-bench",
              object: "chat.completion",
              created: Math.floor(Date.now() / 1000),
              model: "bench-fake",
              choices: [
                {
                  index: 0,
                  message: { role: "assistant", content: "word ".repeat(TOKENS).trim() },
                  finish_reason: "stop",
                },
              ],
              usage: { ...usage, total_tokens: usage.prompt_tokens + TOKENS },
            }),
          );
        }, FIRST_TOKEN_MS);
        return;
      }
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      let timer: NodeJS.Timeout | undefined;
      res.on("close", () => clearTimeout(timer));
      const send = (i: number) => {
        if (res.destroyed) return;
        if (i === 0) call.firstToken = clock();
        res.write(chunk(i === 0 ? { role: "assistant", content: "word " } : { content: "word " }));
        if (i < TOKENS - 1) {
          const due = arrived + FIRST_TOKEN_MS + (i + 1) * TOKEN_INTERVAL_MS;
          timer = setTimeout(() => send(i + 1), Math.max(0, due - clock()));
          return;
        }
        res.write(chunk({}, "stop"));
        if (parsed.stream_options?.include_usage) {
          res.write(
            `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created: 0, model: "bench-fake", choices: [], usage: { ...usage, total_tokens: usage.prompt_tokens + TOKENS } })}\n\n`,
          );
        }
        res.end("data: [DONE]\n\n");
        call.ended = clock();
      };
      timer = setTimeout(() => send(0), Math.max(0, arrived + FIRST_TOKEN_MS - clock()));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    calls,
    get untagged() {
      return state.untagged;
    },
    get untaggedSample() {
      return state.sample;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
