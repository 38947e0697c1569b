import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { NonRetriableError, RetryAfterError } from "inngest";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createEmbeddedEngine, type EmbeddedEngine, type LocalServeHandler } from "@/lib/inngest/embedded";
import { callApp, callBody, inngestAttempts, type CallResult } from "@/lib/inngest/embedded/testing";
import { inngest } from "@/lib/inngest/client";
import { localServeHandler } from "@/lib/inngest/serve";
import { callsInProcess, checkpointingOn, engineWorkers } from "@/lib/inngest/start-engine";
import { useTestDb } from "../helpers/db";
import { captureLogs, fastTiming, serveFunctions, waitForRuns } from "./harness";

// The engine handing its calls to the app's serve() handler in its own process (as the app does under `next start`):
// the same signed request, no socket. What must hold: nothing needs to listen, the signature is still checked, and
// every answer maps to the same outcome as over HTTP.

const twoSteps = inngest.createFunction(
  { id: "local-two", triggers: [{ event: "local/two" }] },
  async ({ event, step }) => {
    const a = await step.run("a", () => (event.data as { n: number }).n + 1);
    const b = await step.run("b", () => a * 10);
    return { a, b };
  },
);
const plain = inngest.createFunction({ id: "local-plain", triggers: [{ event: "local/plain" }] }, async () => ({
  ok: true,
}));
const throws = inngest.createFunction({ id: "local-throws", triggers: [{ event: "local/throws" }] }, async () => {
  throw new Error("function broke");
});
const fatal = inngest.createFunction({ id: "local-fatal", triggers: [{ event: "local/fatal" }] }, async () => {
  throw new NonRetriableError("do not try again");
});
const busy = inngest.createFunction({ id: "local-busy", triggers: [{ event: "local/busy" }] }, async () => {
  throw new RetryAfterError("provider busy", "7s");
});
const functions = [twoSteps, plain, throws, fatal, busy];

/** A loopback port nothing listens on: taken from the OS, then closed. */
async function deadUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/api/inngest`;
}

const db = useTestDb();
const logs = captureLogs();
let engine: EmbeddedEngine;
let serveUrl: string;
/** Every request the in-process handler received: method, stepId, signature header. */
const seen: { method: string; stepId: string | null; signature: string | null }[] = [];
const inner = localServeHandler(functions);
const recording: LocalServeHandler = (request) => {
  seen.push({
    method: request.method,
    stepId: new URL(request.url).searchParams.get("stepId"),
    signature: request.headers.get("x-inngest-signature"),
  });
  return inner(request);
};

beforeAll(async () => {
  serveUrl = await deadUrl();
  engine = createEmbeddedEngine({ db: db.db(), logger: logs.logger, singleProcess: db.handle().mode === "pglite" });
  await engine.start({ serveUrl, localServe: recording, ...fastTiming, backoffBaseMs: 5, backoffMaxMs: 20 });
});
afterAll(async () => {
  await engine?.stop(2000);
});

const event = (name: string, data: Record<string, unknown> = {}) => ({
  name,
  data,
  id: `01LOCAL${name.replace(/\W/g, "").toUpperCase().padEnd(19, "0")}`,
  ts: Date.now(),
});

function request(functionId: string, signingKey: string, stepId = "step") {
  const fn = functionId.replace("story-sprout-local-", "local/");
  return {
    serveUrl,
    functionId,
    stepId,
    body: callBody({
      runId: `local-${functionId}`,
      attempt: 0,
      maxAttempts: 4,
      event: event(fn),
      steps: [],
      targeted: false,
    }),
    signingKey,
    timeoutMs: 10_000,
  };
}

describe("embedded engine: calls handed to the serve handler in-process", () => {
  it("syncs and completes runs with no HTTP server listening, every request signed", async () => {
    await inngest.send({ name: "local/two", data: { n: 4 } });
    const [run] = await waitForRuns(db.db(), "local-two");
    expect(run).toMatchObject({ status: "completed", output: { a: 5, b: 50 } });
    expect(seen.some((r) => r.method === "PUT")).toBe(true);
    const posts = seen.filter((r) => r.method === "POST");
    // One call may run both steps (checkpointing, tests/engine/checkpoint.test.ts).
    expect(posts.length).toBeGreaterThanOrEqual(1);
    for (const post of posts) expect(post.signature).toMatch(/^t=\d+&s=[0-9a-f]{64}$/);
  });

  it("still rejects a wrongly signed call (401 → InngestSignatureRejected)", async () => {
    const { outcome } = await callApp({
      ...request("story-sprout-local-plain", "signkey-embedded-00ff"),
      localServe: recording,
    });
    expect(outcome).toMatchObject({
      kind: "error",
      status: 401,
      unreachable: false,
      error: { name: "InngestSignatureRejected" },
    });
  });

  it("maps each answer to the same outcome as the same call over HTTP", async () => {
    const served = await serveFunctions(functions);
    try {
      const key = engine.keys!.signingKey;
      const comparable = ({ outcome, retryAfter }: CallResult) => ({
        kind: outcome.kind,
        status: outcome.status,
        retryAfter,
        ...(outcome.kind === "error"
          ? {
              retriable: outcome.retriable,
              unreachable: outcome.unreachable,
              name: outcome.error.name,
              message: outcome.error.message,
            }
          : outcome.kind === "ops"
            ? { ops: outcome.ops.map((op) => [op.op, op.id, op.data]) }
            : { output: outcome.output }),
      });
      const cases: [string, string][] = [
        ["story-sprout-local-two", engine.keys!.signingKey],
        ["story-sprout-local-plain", key],
        ["story-sprout-local-throws", key],
        ["story-sprout-local-fatal", key],
        ["story-sprout-local-busy", key],
        ["story-sprout-local-plain", "signkey-embedded-00ff"],
      ];
      const kinds: string[] = [];
      for (const [functionId, signingKey] of cases) {
        const overHttp = await callApp({ ...request(functionId, signingKey), serveUrl: served.url });
        const local = await callApp({ ...request(functionId, signingKey), localServe: recording });
        expect(comparable(local), functionId).toEqual(comparable(overHttp));
        kinds.push(`${local.outcome.kind}:${local.outcome.status}`);
      }
      // The cases cover every kind of answer, so the comparison above is not vacuous.
      expect(kinds).toEqual(["ops:206", "complete:200", "error:500", "error:400", "error:500", "error:401"]);
    } finally {
      await served.close();
    }
  });

  it("counts a handler that throws as a retriable failed attempt, not as the app being unreachable", async () => {
    const { outcome } = await callApp({
      ...request("story-sprout-local-plain", engine.keys!.signingKey),
      localServe: async () => {
        throw new Error("handler exploded");
      },
    });
    expect(outcome).toMatchObject({
      kind: "error",
      status: 500,
      retriable: true,
      unreachable: false,
      error: { name: "InngestCallError", message: expect.stringContaining("handler exploded") },
    });
  });

  it("times a handler out like an HTTP call: a retriable error, not unreachable", async () => {
    const { outcome } = await callApp({
      ...request("story-sprout-local-plain", engine.keys!.signingKey),
      timeoutMs: 30,
      localServe: () => new Promise<Response>(() => {}),
    });
    expect(outcome).toMatchObject({ kind: "error", status: null, retriable: true, unreachable: false });
    expect(outcome.kind === "error" && outcome.error.message).toContain("no answer within 30 ms");
  });

  it("fails a run whose function throws NonRetriableError after one attempt, in-process as over HTTP", async () => {
    await inngest.send({ name: "local/fatal", data: {} });
    const [run] = await waitForRuns(db.db(), "local-fatal");
    expect(run).toMatchObject({ status: "failed", error: { message: "do not try again" } });
    const attempts = await db.db().select().from(inngestAttempts).where(eq(inngestAttempts.runId, run!.id));
    expect(attempts).toHaveLength(1);
  });
});

describe("when the app hands calls to the handler in-process (start-engine)", () => {
  it("does so by default in production, not in development nor when INNGEST_SERVE_URL points elsewhere", () => {
    expect(callsInProcess({ NODE_ENV: "production" })).toBe(true);
    expect(callsInProcess({ NODE_ENV: "development" })).toBe(false);
    expect(callsInProcess({ NODE_ENV: "production", INNGEST_SERVE_URL: "http://10.0.0.2:3000/api/inngest" })).toBe(
      false,
    );
    expect(callsInProcess({ NODE_ENV: "production", INNGEST_EMBEDDED_IN_PROCESS: "0" })).toBe(false);
    expect(callsInProcess({ NODE_ENV: "development", INNGEST_EMBEDDED_IN_PROCESS: "1" })).toBe(true);
  });

  it("lets in-process calls checkpoint step after step unless INNGEST_EMBEDDED_CHECKPOINTING turns it off", () => {
    expect(checkpointingOn({})).toBe(true);
    expect(checkpointingOn({ INNGEST_EMBEDDED_CHECKPOINTING: "1" })).toBe(true);
    expect(checkpointingOn({ INNGEST_EMBEDDED_CHECKPOINTING: "0" })).toBe(false);
    expect(checkpointingOn({ INNGEST_EMBEDDED_CHECKPOINTING: "false" })).toBe(false);
  });

  it("runs enough workers for every model job the AI limit allows, plus room for the rest", () => {
    // A model job holds its worker while the model streams: fewer workers than AI_CONCURRENCY would cap it lower.
    expect(engineWorkers({ AI_CONCURRENCY: "20" })).toBe(28);
    expect(engineWorkers({ AI_CONCURRENCY: "40" })).toBe(48);
    expect(engineWorkers({ OPENAI_API_KEY: "sk-remote" })).toBe(28);
    // The offline or a local model (limit 4) keeps the engine's own default.
    expect(engineWorkers({})).toBe(16);
    expect(engineWorkers({ AI_CONCURRENCY: "20", INNGEST_EMBEDDED_WORKERS: "6" })).toBe(6);
    expect(engineWorkers({ AI_CONCURRENCY: "20", INNGEST_EMBEDDED_WORKERS: "none" })).toBe(28);
  });
});

describe("the handler's second copy of the app's modules (instrumentation is bundled apart from the route)", () => {
  it("publishes live job updates to listeners subscribed through the route's copy", async () => {
    const route = await import("@/lib/ai/jobs/live");
    vi.resetModules();
    const instrumentation = await import("@/lib/ai/jobs/live");
    expect(instrumentation).not.toBe(route);
    const received: unknown[] = [];
    const unsubscribe = route.subscribeJobUpdates("job-x", (update) => received.push(update));
    try {
      instrumentation.publishJobUpdate({ jobId: "job-x", partialText: "Once" });
    } finally {
      unsubscribe();
    }
    expect(received).toEqual([{ jobId: "job-x", partialText: "Once" }]);
  });
});
