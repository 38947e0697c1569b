import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { callApp } from "@/lib/inngest/embedded/testing";

// How the engine classifies a call that never got an answer from the app. "Unreachable" calls are made again with the
// same attempt (the app is starting, restarting or dropped the connection); only a real answer uses up a retry.

let server: http.Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function serve(handler: http.RequestListener): Promise<string> {
  server = http.createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/inngest`;
}

const call = (serveUrl: string) =>
  callApp({ serveUrl, functionId: "fn", stepId: "step", body: {}, signingKey: "signkey-test-00", timeoutMs: 5_000 });

describe("a call the app never answered", () => {
  it("treats a connection reset (ECONNRESET) as the app being unreachable, not as a function error", async () => {
    const url = await serve((req) => req.socket.destroy());
    const { outcome } = await call(url);
    expect(outcome).toMatchObject({ kind: "error", retriable: true, unreachable: true });
  });

  it("treats a refused connection the same way", async () => {
    const url = await serve(() => {});
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const { outcome } = await call(url);
    expect(outcome).toMatchObject({ kind: "error", unreachable: true });
  });

  it("counts a real error answer of the app as a function error", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ name: "Error", message: "boom" }));
    });
    const { outcome } = await call(url);
    expect(outcome).toMatchObject({ kind: "error", unreachable: false });
  });
});
