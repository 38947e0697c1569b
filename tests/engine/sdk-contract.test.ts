import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Inngest } from "inngest";
import { serve } from "inngest/node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createEmbeddedEngine, embeddedClientOptions, type EmbeddedEngine } from "@/lib/inngest/embedded";
import { callApp, callBody, canonicalBody, seededUlid, signBody } from "@/lib/inngest/embedded/testing";
import { useTestDb } from "../helpers/db";

/**
 * The SDK behaviour the embedded engine relies on that is not public API, one test per assumption. When an `inngest`
 * upgrade breaks one, its message names the assumption and what to look at; docs/ENGINE.md ("SDK contract") lists
 * them, and /work/shared/docs/INNGEST-PROTOCOL.md records what was observed. The version is pinned in package.json.
 */

const PINNED = "4.24.0";

function broken(assumption: string, check: string): string {
  return `SDK contract broken: ${assumption}. After upgrading inngest (pinned ${PINNED}), check ${check}.`;
}

// Constructed before any engine exists, as the app's client is at module load: the keys must be read later.
const client = new Inngest(embeddedClientOptions({ id: "sdk-contract" }));
const runs = { a: 0, b: 0, c: 0 };
const threeSteps = client.createFunction({ id: "three", triggers: [{ event: "contract/three" }] }, async ({ step }) => {
  const a = await step.run("a", () => ++runs.a);
  const b = await step.run("b", () => ++runs.b);
  const c = await step.run("c", () => ++runs.c);
  return { a, b, c };
});
const FN_ID = "sdk-contract-three";

const db = useTestDb();
let engine: EmbeddedEngine;
let server: http.Server;
let serveUrl: string;

beforeAll(async () => {
  const handler = serve({ client, functions: [threeSteps], enableUnauthedSync: false });
  server = http.createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  serveUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/inngest`;
  engine = createEmbeddedEngine({ db: db.db(), singleProcess: db.handle().mode === "pglite" });
  await engine.attach();
});

afterAll(async () => {
  await engine?.stop();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

const event = { name: "contract/three", data: {}, id: "01CONTRACT0000000000000000", ts: Date.now() };

function call(stepId: string, steps: [string, "completed", unknown, null][], targeted: boolean) {
  return callApp({
    serveUrl,
    functionId: FN_ID,
    stepId,
    body: callBody({ runId: "contract-run", attempt: 0, maxAttempts: 4, event, steps, targeted }),
    signingKey: engine.keys!.signingKey,
    timeoutMs: 10_000,
  });
}

/** Runs step "a" through a discovery call and returns its op id (the SDK's hash of the step name). */
async function firstStepId(): Promise<string> {
  const { outcome } = await call("step", [], false);
  if (outcome.kind !== "ops") throw new Error(`discovery call answered ${JSON.stringify(outcome)}`);
  return outcome.ops[0]!.id;
}

describe(`SDK contract (inngest ${PINNED})`, () => {
  it("the installed inngest is the pinned version", () => {
    const installed = JSON.parse(fs.readFileSync("node_modules/inngest/package.json", "utf8")) as { version: string };
    const declared = (JSON.parse(fs.readFileSync("package.json", "utf8")) as { dependencies: Record<string, string> })
      .dependencies.inngest;
    expect(
      installed.version,
      broken(
        "the engine was checked against one exact SDK version",
        "every test below, then update PINNED here and the version in package.json and package-lock.json",
      ),
    ).toBe(PINNED);
    expect(declared, broken("inngest is pinned to an exact version", "package.json: no ^ or ~ on inngest")).toBe(
      PINNED,
    );
  });

  it("reads the signing key and the event key through the options' getters when used, not at construction", async () => {
    const signed = await call("step", [], false);
    expect(
      signed.outcome.kind,
      broken(
        "serve() reads `signingKey` from the client options when a request arrives (the engine loads it after the client is built)",
        "Inngest.signingKey in components/Inngest.js still reads this.options.signingKey, and that the client keeps the options object (no copy)",
      ),
    ).toBe("ops");
    const sent = await client.send({ name: "contract/unheard", data: {} }).catch((error: Error) => error);
    expect(
      sent instanceof Error ? sent.message : "sent",
      broken(
        "send() reads `eventKey` from the client options at send time",
        "Inngest.eventKey in components/Inngest.js and the `e/<eventKey>` URL built in Inngest._send",
      ),
    ).toBe("sent");
  });

  it("sends `x-inngest-event-id-seed` as `<ms>,<base64 of 10 bytes>` and keeps it when it retries a send", async () => {
    const seeds: string[] = [];
    const probe = new Inngest({
      id: "seed-probe",
      isDev: false,
      eventKey: "probe-key",
      baseUrl: "http://seed-probe.invalid/",
      fetch: (async (_url: string, init?: RequestInit) => {
        seeds.push(new Headers(init?.headers).get("x-inngest-event-id-seed") ?? "(none)");
        const status = seeds.length === 1 ? 500 : 200;
        return new Response(JSON.stringify({ ids: ["x"], status }), { status });
      }) as typeof fetch,
    });
    await probe.send({ name: "contract/seed", data: {} });
    const check =
      "the EventIdSeed header in Inngest._send (components/Inngest.js) and seededUlid in lib/inngest/embedded/ids.ts";
    expect(seeds, broken("a failed send is retried with the same id seed", check)).toHaveLength(2);
    expect(seeds[1], broken("a failed send is retried with the same id seed", check)).toBe(seeds[0]);
    expect(seeds[0], broken("the id seed is `<ms>,<base64 of 10 random bytes>`", check)).toMatch(
      /^\d{13},[A-Za-z0-9+/]{14}==$/,
    );
    expect(seededUlid(seeds[0], 0), broken("the engine derives event ids from the seed", check)).toMatch(
      /^[0-9A-HJKMNP-TV-Z]{26}$/,
    );
  });

  it("keeps one step per request when `ctx.fn_id` is not sent (no checkpointing)", async () => {
    const before = { ...runs };
    const { outcome } = await call("step", [], false);
    const check =
      "InngestFunction.shouldAsyncCheckpoint (components/InngestFunction.js): it must stay off without ctx.fn_id, or the engine must send checkpointing: false";
    expect(
      outcome.kind,
      broken("a discovery call without ctx.fn_id answers 206 with ops, not the whole run", check),
    ).toBe("ops");
    const ops = outcome.kind === "ops" ? outcome.ops : [];
    expect(
      ops.map((op) => [op.op, op.name]),
      broken("a discovery call runs at most one new step", check),
    ).toEqual([["StepRun", "a"]]);
    expect(runs, broken("a discovery call runs at most one new step", check)).toEqual({ ...before, a: before.a + 1 });
  });

  it("with `ctx.fn_id` and `ctx.qi_id`, runs step after step, checkpointing each, and ends with RunComplete", async () => {
    const check =
      "the async checkpointing mode (components/execution/engine.js asyncCheckpointingHandlers, api/api.js checkpointStepsAsync); the engine's side is lib/inngest/embedded/checkpoint.ts";
    const posts: { path: string; authorization: string | null; body: Record<string, unknown> }[] = [];
    const spy = vi.spyOn(engine, "fetch").mockImplementation(async (input, init) => {
      const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
      posts.push({
        path: url.pathname,
        authorization: new Headers(init?.headers).get("authorization"),
        body: JSON.parse(String(init?.body)) as Record<string, unknown>,
      });
      return new Response("{}", { status: 200, headers: { "content-type": "application/json" } });
    });
    const before = { ...runs };
    let result: Awaited<ReturnType<typeof callApp>>;
    try {
      result = await callApp({
        serveUrl,
        functionId: FN_ID,
        stepId: "step",
        body: callBody({
          runId: "contract-run",
          attempt: 0,
          maxAttempts: 4,
          event,
          steps: [],
          targeted: false,
          checkpoint: { functionId: FN_ID, queueItemId: "7:engine-contract" },
        }),
        signingKey: engine.keys!.signingKey,
        timeoutMs: 10_000,
      });
    } finally {
      spy.mockRestore();
    }
    const { outcome } = result;
    const ops = outcome.kind === "ops" ? outcome.ops : [];
    expect(
      ops.map((op) => op.op),
      broken("a checkpointing call answers 206 with a single RunComplete op", check),
    ).toEqual(["RunComplete"]);
    expect(ops[0]?.data, broken("RunComplete carries the function's return value as data", check)).toEqual({
      a: before.a + 1,
      b: before.b + 1,
      c: before.c + 1,
    });
    expect(
      posts.map((p) => [p.path, p.body.run_id, p.body.fn_id, p.body.qi_id]),
      broken("each step is POSTed to /v1/checkpoint/<run>/async with run_id, fn_id and qi_id", check),
    ).toEqual(Array(3).fill(["/v1/checkpoint/contract-run/async", "contract-run", FN_ID, "7:engine-contract"]));
    const steps = posts.map((p) => (p.body.steps as { op: string; name: string; data: unknown }[])[0]);
    expect(
      steps.map((s) => [s?.op, s?.name, s?.data]),
      broken("a checkpoint's steps are StepRun ops with the step's name and data", check),
    ).toEqual([
      ["StepRun", "a", before.a + 1],
      ["StepRun", "b", before.b + 1],
      ["StepRun", "c", before.c + 1],
    ]);
    expect(
      posts.every((p) => p.authorization?.startsWith("Bearer signkey-embedded-")),
      broken("checkpoints carry Authorization: Bearer <hashed signing key>", check),
    ).toBe(true);
  });

  it("replays memoized steps sent inline (`steps`, `ctx.stack`, `use_api: false`) instead of running them again", async () => {
    const idA = await firstStepId();
    const before = { ...runs };
    const { outcome } = await call("step", [[idA, "completed", 1, null]], false);
    const check =
      "parseFnData / fetchAllFnData in helpers/functions.js (ctx.stack, ctx.use_api, the `steps` map of { data }) and callBody in lib/inngest/embedded/call.ts";
    const ops = outcome.kind === "ops" ? outcome.ops : [];
    expect(
      ops.map((op) => [op.op, op.name]),
      broken("memoized step results in the request body are replayed", check),
    ).toEqual([["StepRun", "b"]]);
    expect(runs, broken("a memoized step does not run again", check)).toEqual({ ...before, b: before.b + 1 });
  });

  it("plans instead of running with `disable_immediate_execution: true`, and runs exactly the step named by stepId", async () => {
    const idA = await firstStepId();
    const before = { ...runs };
    const check =
      "ctx.disable_immediate_execution in InngestCommHandler (components/InngestCommHandler.js) and callBody";
    const planned = await call("step", [], true);
    const plannedOps = planned.outcome.kind === "ops" ? planned.outcome.ops : [];
    expect(
      plannedOps.map((op) => [op.op, op.id]),
      broken("disable_immediate_execution: true makes discovery plan the step", check),
    ).toEqual([["StepPlanned", idA]]);
    expect(runs, broken("disable_immediate_execution: true makes discovery plan the step", check)).toEqual(before);
    const targeted = await call(idA, [], true);
    const targetedOps = targeted.outcome.kind === "ops" ? targeted.outcome.ops : [];
    expect(
      targetedOps.map((op) => [op.op, op.id]),
      broken("a call with stepId=<hash> runs that step", check),
    ).toEqual([["StepRun", idA]]);
    expect(runs.a, broken("a call with stepId=<hash> runs that step", check)).toBe(before.a + 1);
  });

  it("accepts protocol `version: 2` and answers in it", async () => {
    const url = new URL(serveUrl);
    url.searchParams.set("fnId", FN_ID);
    url.searchParams.set("stepId", "step");
    const text = canonicalBody(
      callBody({ runId: "contract-run", attempt: 0, maxAttempts: 4, event, steps: [], targeted: true }),
    );
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-inngest-signature": signBody(text, engine.keys!.signingKey) },
      body: text,
    });
    expect(
      [res.status, res.headers.get("x-inngest-req-version")],
      broken(
        "the SDK executes request bodies with `version: 2` (ExecutionVersion.V2)",
        "createVersionSchema in helpers/functions.js and PREFERRED_ASYNC_EXECUTION_VERSION, then the `version` field in callBody",
      ),
    ).toEqual([206, "2"]);
  });
});
