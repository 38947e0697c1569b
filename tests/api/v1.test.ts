import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { apiTokens } from "@/db/api-tokens-schema";
import type { Actor } from "@/lib/stories";
import { useTestDb } from "../helpers/db";
import { expectAppError, makeActor, makeStory, ZERO_UUID } from "../helpers/fixtures";
import { v1 } from "@/lib/http/v1-operations";
import type { z } from "zod";
import type { jobAcceptedSchema, jobListSchema } from "@/lib/http/api-schemas";
import type { ErrorAnswer } from "./route-call";
import { contractCheckedCallRoute } from "./v1-contract";

type JobAccepted = z.output<typeof jobAcceptedSchema>;
type JobList = z.output<typeof jobListSchema>;

/** Personal API tokens and REST API v1, called as Next calls the route handlers. */
vi.mock("@/lib/ai/jobs/queue", async (original) => ({
  ...(await original<typeof import("@/lib/ai/jobs/queue")>()),
  enqueueJob: vi.fn(async () => {}),
  requestJobCancel: vi.fn(async () => {}),
}));

const tokens = await import("@/lib/auth/api-tokens");
const generate = await import("@/app/api/v1/pages/[pageId]/generate/route");
const jobs = await import("@/app/api/v1/jobs/route");
const job = await import("@/app/api/v1/jobs/[jobId]/route");
const cancel = await import("@/app/api/v1/jobs/[jobId]/cancel/route");
const retry = await import("@/app/api/v1/jobs/[jobId]/retry/route");
const validate = await import("@/app/api/v1/generations/validate/route");
const openapi = await import("@/app/api/v1/openapi.json/route");

// Every answer below is also checked against its route's operation (the OpenAPI document's source).
const callRoute = contractCheckedCallRoute([
  [generate.POST, v1.generatePage],
  [jobs.GET, v1.listJobs],
  [job.GET, v1.getJob],
  [cancel.POST, v1.cancelJob],
  [retry.POST, v1.retryJob],
  [validate.POST, v1.validateGeneration],
]);

const { db } = useTestDb();

let a: Actor;
let b: Actor;
let admin: Actor;
let tokenA: string;
let tokenB: string;
let tokenAdmin: string;

beforeAll(async () => {
  a = await makeActor();
  b = await makeActor();
  admin = await makeActor("admin");
  tokenA = (await tokens.createApiToken(a, { name: "A's script" })).secret;
  tokenB = (await tokens.createApiToken(b, { name: "B's script" })).secret;
  tokenAdmin = (await tokens.createApiToken(admin, { name: "admin" })).secret;
});

describe("personal API tokens", () => {
  it("creates a recognisable secret shown once, stores only its hash and lists no secrets", async () => {
    const { token, secret } = await tokens.createApiToken(a, { name: "  laptop  " });
    expect(secret).toMatch(/^ss_[A-Za-z0-9_-]{43}$/);
    expect(token).toMatchObject({ name: "laptop", prefix: secret.slice(0, 9), revokedAt: null });
    const [row] = await db().select().from(apiTokens).where(eq(apiTokens.id, token.id));
    expect(row!.tokenHash).toBe(tokens.hashToken(secret));
    expect(JSON.stringify(row)).not.toContain(secret);
    const listed = await tokens.listApiTokens(a);
    expect(listed.map((t) => t.id)).toContain(token.id);
    expect(JSON.stringify(listed)).not.toContain(secret.slice(9));
    expect(JSON.stringify(listed)).not.toContain(row!.tokenHash);
    expect((await tokens.listApiTokens(b)).map((t) => t.id)).not.toContain(token.id);
  });

  it("validates the name and needs a user", async () => {
    await expectAppError(tokens.createApiToken(a, { name: "   " }), "VALIDATION");
    await expectAppError(tokens.createApiToken(a, { name: "x".repeat(101) }), "VALIDATION");
    await expectAppError(tokens.createApiToken(null, { name: "x" }), "UNAUTHENTICATED");
    await expectAppError(tokens.listApiTokens(null), "UNAUTHENTICATED");
  });

  it("authenticates as its user until revoked; revoking someone else's token is NOT_FOUND", async () => {
    const { token, secret } = await tokens.createApiToken(a, { name: "to revoke" });
    expect(await tokens.authenticateApiToken(secret)).toEqual({ id: a.id, role: "author" });
    const [used] = await db().select().from(apiTokens).where(eq(apiTokens.id, token.id));
    expect(Date.now() - used!.lastUsedAt!.getTime()).toBeLessThan(60_000);
    await expectAppError(tokens.revokeApiToken(b, { tokenId: token.id }), "NOT_FOUND");
    await expectAppError(tokens.revokeApiToken(admin, { tokenId: token.id }), "NOT_FOUND");
    expect(await tokens.authenticateApiToken(secret)).toEqual({ id: a.id, role: "author" });
    const revoked = await tokens.revokeApiToken(a, { tokenId: token.id });
    expect(Date.now() - Date.parse(revoked.revokedAt!)).toBeLessThan(60_000);
    expect(await tokens.authenticateApiToken(secret)).toBeNull();
    const answer = await callRoute<ErrorAnswer>(jobs.GET, { token: secret, path: "/api/v1/jobs" });
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe("UNAUTHENTICATED");
    expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("rejects expired, unknown and malformed secrets", async () => {
    const { token, secret } = await tokens.createApiToken(a, { name: "short-lived", expiresInDays: 1 });
    await db()
      .update(apiTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(apiTokens.id, token.id));
    expect(await tokens.authenticateApiToken(secret)).toBeNull();
    expect(await tokens.authenticateApiToken(`ss_${"A".repeat(43)}`)).toBeNull();
    expect(await tokens.authenticateApiToken("not-a-token")).toBeNull();
    expect((await callRoute(jobs.GET, { path: "/api/v1/jobs" })).status).toBe(401);
    expect((await callRoute(jobs.GET, { path: "/api/v1/jobs", headers: { authorization: "Basic abc" } })).status).toBe(
      401,
    );
  });

  it("writes last_used_at at most once a minute", async () => {
    const { token, secret } = await tokens.createApiToken(a, { name: "busy" });
    const t0 = new Date("2030-01-01T00:00:00Z");
    await tokens.authenticateApiToken(secret, t0);
    await tokens.authenticateApiToken(secret, new Date(t0.getTime() + 30_000));
    let [row] = await db().select().from(apiTokens).where(eq(apiTokens.id, token.id));
    expect(row!.lastUsedAt!.toISOString()).toBe(t0.toISOString());
    await tokens.authenticateApiToken(secret, new Date(t0.getTime() + 61_000));
    [row] = await db().select().from(apiTokens).where(eq(apiTokens.id, token.id));
    expect(row!.lastUsedAt!.getTime()).toBe(t0.getTime() + 61_000);
  });
});

describe("REST API v1", () => {
  it("POST generate → 202 created, then 202 joined with the same job; GET it; cancel it; retry it", async () => {
    const { pages } = await makeStory(a, ["", "Text."]);
    const first = await callRoute<JobAccepted>(generate.POST, {
      token: tokenA,
      body: { instruction: "a storm" },
      params: { pageId: pages[0]!.id },
    });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({
      created: true,
      job: { status: "pending", pageId: pages[0]!.id, instruction: "a storm", jobType: "page_text.write" },
    });
    expect(first.headers.get("location")).toBe(`/api/v1/jobs/${first.body.job.id}`);
    const second = await callRoute(generate.POST, { token: tokenA, rawBody: "", params: { pageId: pages[0]!.id } });
    expect(second.status).toBe(202);
    expect(second.body).toMatchObject({ created: false, job: { id: first.body.job.id } });
    expect(await db().select().from(aiJobs).where(eq(aiJobs.targetId, pages[0]!.id))).toHaveLength(1);

    const got = await callRoute(job.GET, { token: tokenA, params: { jobId: first.body.job.id } });
    expect(got).toMatchObject({ status: 200, body: { id: first.body.job.id, status: "pending" } });

    const notYet = await callRoute(retry.POST, { token: tokenA, params: { jobId: first.body.job.id } });
    expect(notYet.status).toBe(409);

    const cancelled = await callRoute(cancel.POST, { token: tokenA, params: { jobId: first.body.job.id } });
    expect(cancelled).toMatchObject({ status: 200, body: { status: "cancelled", errorCode: "GEN_CANCELLED" } });

    const retried = await callRoute<JobAccepted>(retry.POST, { token: tokenA, params: { jobId: first.body.job.id } });
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ created: true, job: { status: "pending", instruction: "a storm" } });
    const [row] = await db().select().from(aiJobs).where(eq(aiJobs.id, retried.body.job.id));
    expect(row!.retryOf).toBe(first.body.job.id);
  });

  it("400 names the bad field; malformed JSON and non-object bodies are 400 too", async () => {
    const { pages } = await makeStory(a, [""]);
    const long = await callRoute(generate.POST, {
      token: tokenA,
      body: { instruction: "x".repeat(501) },
      params: { pageId: pages[0]!.id },
    });
    expect(long).toMatchObject({
      status: 400,
      body: { code: "VALIDATION", details: { fields: { instruction: expect.stringContaining("500") } } },
    });
    const mode = await callRoute(generate.POST, {
      token: tokenA,
      body: { mode: "poem" },
      params: { pageId: pages[0]!.id },
    });
    expect(mode).toMatchObject({ status: 400, body: { details: { fields: { mode: expect.any(String) } } } });
    const blankRevise = await callRoute(generate.POST, {
      token: tokenA,
      body: { mode: "revise" },
      params: { pageId: pages[0]!.id },
    });
    expect(blankRevise.status).toBe(400);
    const bad = await callRoute(generate.POST, {
      token: tokenA,
      rawBody: "{not json",
      params: { pageId: pages[0]!.id },
    });
    expect(bad).toMatchObject({
      status: 400,
      body: { code: "VALIDATION", details: { fields: { body: expect.any(String) } } },
    });
    const arr = await callRoute(generate.POST, { token: tokenA, body: [1, 2], params: { pageId: pages[0]!.id } });
    expect(arr.status).toBe(400);
    const badId = await callRoute(generate.POST, { token: tokenA, body: {}, params: { pageId: "nope" } });
    expect(badId).toMatchObject({ status: 400, body: { details: { fields: { pageId: expect.any(String) } } } });
    expect((await callRoute(job.GET, { token: tokenA, params: { jobId: "nope" } })).status).toBe(400);
    expect(JSON.stringify(bad.body)).not.toMatch(/at .*\.ts/);
  });

  it("a body over the limit is 413 after reading no more than the limit; no job is created", async () => {
    const { pages } = await makeStory(a, [""]);
    // 40 MB offered lazily, 64 KB at a time: the route must stop pulling soon after 64 KB.
    let pulled = 0;
    const chunk = new TextEncoder().encode(`{"instruction":"${"x".repeat(64 * 1024)}`);
    const huge = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= 40 * 1024 * 1024) return controller.close();
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const streamed = await callRoute(generate.POST, {
      token: tokenA,
      streamBody: huge,
      params: { pageId: pages[0]!.id },
    });
    expect(streamed).toMatchObject({ status: 413, body: { code: "LIMIT_EXCEEDED" } });
    expect(pulled).toBeLessThan(1024 * 1024);

    // Declared too large: refused before reading. Bytes, not characters, count (é is two bytes).
    const declared = await callRoute(generate.POST, {
      token: tokenA,
      rawBody: "{}",
      headers: { "content-length": String(50 * 1024 * 1024) },
      params: { pageId: pages[0]!.id },
    });
    expect(declared.status).toBe(413);
    const wide = await callRoute(generate.POST, {
      token: tokenA,
      rawBody: JSON.stringify({ instruction: "é".repeat(40 * 1024) }),
      params: { pageId: pages[0]!.id },
    });
    expect(wide.status).toBe(413);
    expect(await db().select().from(aiJobs).where(eq(aiJobs.targetId, pages[0]!.id))).toHaveLength(0);
  });

  it("unknown and foreign ids are 404; admins reach everything", async () => {
    const { pages } = await makeStory(a, [""]);
    expect((await callRoute(generate.POST, { token: tokenB, body: {}, params: { pageId: pages[0]!.id } })).status).toBe(
      404,
    );
    expect((await callRoute(generate.POST, { token: tokenA, body: {}, params: { pageId: ZERO_UUID } })).status).toBe(
      404,
    );
    const created = await callRoute<JobAccepted>(generate.POST, {
      token: tokenA,
      body: {},
      params: { pageId: pages[0]!.id },
    });
    const jobId = created.body.job.id;
    for (const route of [job.GET, cancel.POST, retry.POST]) {
      const theirs = await callRoute(route, { token: tokenB, params: { jobId } });
      const missing = await callRoute(route, { token: tokenA, params: { jobId: ZERO_UUID } });
      expect(theirs.status).toBe(404);
      // Identical answers: a foreign id must not reveal that a job (or its page) exists.
      expect(theirs.body).toEqual(missing.body);
    }
    expect((await callRoute(validate.POST, { token: tokenB, body: { pageId: pages[0]!.id } })).status).toBe(404);
    expect((await callRoute(job.GET, { token: tokenAdmin, params: { jobId } })).status).toBe(200);
    expect(await db().select().from(aiJobs).where(eq(aiJobs.targetId, pages[0]!.id))).toHaveLength(1);
  });

  it("a background revision from the list can be read and cancelled by id, not retried; others get 404", async () => {
    const { requestBackgroundRevision } = await import("@/lib/stories");
    const { story, pages } = await makeStory(a, ["One.", "Two."]);
    const { revision } = await requestBackgroundRevision(a, {
      storyId: story.id,
      pageIds: pages.map((p) => p.id),
      instruction: "warmer",
    });

    const listed = await callRoute<JobList>(jobs.GET, {
      token: tokenA,
      path: `/api/v1/jobs?type=story.revise_pages&storyId=${story.id}`,
    });
    expect(listed.body.jobs.map((j: { id: string }) => j.id)).toEqual([revision.id]);

    const got = await callRoute(job.GET, { token: tokenA, params: { jobId: revision.id } });
    expect(got).toMatchObject({
      status: 200,
      body: { id: revision.id, jobType: "story.revise_pages", storyId: story.id, status: "pending", total: 2 },
    });
    expect((await callRoute(job.GET, { token: tokenAdmin, params: { jobId: revision.id } })).status).toBe(200);
    for (const route of [job.GET, cancel.POST, retry.POST]) {
      const theirs = await callRoute(route, { token: tokenB, params: { jobId: revision.id } });
      const missing = await callRoute(route, { token: tokenA, params: { jobId: ZERO_UUID } });
      expect(theirs.status).toBe(404);
      expect(theirs.body).toEqual(missing.body);
    }
    const retried = await callRoute(retry.POST, { token: tokenA, params: { jobId: revision.id } });
    expect(retried).toMatchObject({
      status: 400,
      body: { code: "VALIDATION", message: expect.stringContaining("background revision") },
    });

    const cancelled = await callRoute(cancel.POST, { token: tokenA, params: { jobId: revision.id } });
    expect(cancelled).toMatchObject({
      status: 200,
      body: { id: revision.id, jobType: "story.revise_pages", status: "cancelled" },
    });
    const [row] = await db().select().from(aiJobs).where(eq(aiJobs.id, revision.id));
    expect(row!.status).toBe("cancelled");
  });

  it("validate checks without creating a job", async () => {
    const { pages } = await makeStory(a, ["", "Some text."]);
    const checked = await callRoute(validate.POST, {
      token: tokenA,
      body: { pageId: pages[1]!.id, instruction: "shorter" },
    });
    expect(checked).toMatchObject({
      status: 200,
      body: { ok: true, mode: "revise", wouldJoinJobId: null, allowance: { resetsAt: expect.any(String) } },
    });
    // The prompt preview: the whole (two-page) story, the target and its neighbour, within the budget.
    const preview = checked.body as {
      context: { sections: { kind: string; tokens: number }[]; totalTokens: number; budgetTokens: number };
      estimatedCostUsd: number | null;
      promptTokens: number;
    };
    expect(preview.context.sections.map((s) => s.kind)).toEqual(["template", "instruction", "neighbour", "target"]);
    expect(preview.context.totalTokens).toBe(preview.promptTokens);
    expect(preview.context.totalTokens).toBeLessThanOrEqual(preview.context.budgetTokens);
    expect(preview.estimatedCostUsd).toBe(0);
    expect(await db().select().from(aiJobs).where(eq(aiJobs.targetId, pages[1]!.id))).toHaveLength(0);
    const blank = await callRoute(validate.POST, { token: tokenA, body: { pageId: pages[0]!.id, mode: "revise" } });
    expect(blank.status).toBe(400);
    expect((await callRoute(validate.POST, { token: tokenA, body: {} })).body).toMatchObject({
      code: "VALIDATION",
      details: { fields: { pageId: expect.stringMatching(/\S/) } },
    });
    const started = await callRoute<JobAccepted>(generate.POST, {
      token: tokenA,
      body: {},
      params: { pageId: pages[0]!.id },
    });
    const joining = await callRoute(validate.POST, { token: tokenA, body: { pageId: pages[0]!.id } });
    expect(joining.body).toMatchObject({ ok: true, wouldJoinJobId: started.body.job.id });
  });

  it("GET /jobs lists own jobs newest first with filters and cursor; admins see all", async () => {
    const { story, pages } = await makeStory(b, ["", "", ""]);
    const ids: string[] = [];
    for (const p of pages)
      ids.push(
        (await callRoute<JobAccepted>(generate.POST, { token: tokenB, body: {}, params: { pageId: p.id } })).body.job
          .id,
      );
    await callRoute(cancel.POST, { token: tokenB, params: { jobId: ids[0]! } });

    const first = await callRoute<JobList>(jobs.GET, {
      token: tokenB,
      path: `/api/v1/jobs?storyId=${story.id}&limit=2`,
    });
    expect(first.status).toBe(200);
    expect(first.body.jobs.map((j: { id: string }) => j.id)).toEqual([ids[2], ids[1]]);
    expect(first.body.jobs[0]).toMatchObject({ storyId: story.id, type: "page_text.write", requestedBy: b.id });
    const second = await callRoute(jobs.GET, {
      token: tokenB,
      path: `/api/v1/jobs?storyId=${story.id}&limit=2&cursor=${first.body.nextCursor}`,
    });
    expect(second.body).toMatchObject({ jobs: [{ id: ids[0] }], nextCursor: null });
    const cancelled = await callRoute<JobList>(jobs.GET, {
      token: tokenB,
      path: `/api/v1/jobs?status=cancelled&type=page_text.write`,
    });
    expect(cancelled.body.jobs.map((j: { id: string }) => j.id)).toEqual([ids[0]]);

    // A sees none of B's; asking for B's is refused; admins see them and may filter by user.
    const asA = await callRoute<JobList>(jobs.GET, { token: tokenA, path: `/api/v1/jobs?storyId=${story.id}` });
    expect(asA.body.jobs).toEqual([]);
    expect((await callRoute(jobs.GET, { token: tokenA, path: `/api/v1/jobs?userId=${b.id}` })).status).toBe(400);
    const asAdmin = await callRoute<JobList>(jobs.GET, {
      token: tokenAdmin,
      path: `/api/v1/jobs?userId=${b.id}&storyId=${story.id}`,
    });
    expect(asAdmin.body.jobs).toHaveLength(3);

    for (const bad of [
      "status=done",
      "type=x",
      "storyId=1",
      "from=yesterday",
      "limit=0",
      "limit=1000",
      "cursor=zzz",
      "colour=red",
    ]) {
      const answer = await callRoute<ErrorAnswer>(jobs.GET, { token: tokenB, path: `/api/v1/jobs?${bad}` });
      expect(answer.status, bad).toBe(400);
      expect(Object.keys(answer.body.details?.fields ?? {}), bad).toContain(bad.split("=")[0]);
    }
  });

  it("openapi.json describes every v1 route file", async () => {
    const res = await callRoute<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(openapi.GET, {});
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    const root = path.join(process.cwd(), "app/api/v1");
    const files = (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith("route.ts"));
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const file of files) {
      const apiPath = `/api/v1/${path
        .dirname(file)
        .split(path.sep)
        .map((s) => s.replace(/^\[(.+)\]$/, "{$1}"))
        .join("/")}`;
      expect(res.body.paths, `${file} → ${apiPath}`).toHaveProperty([apiPath]);
      const source = fs.readFileSync(path.join(root, file), "utf8");
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
        if (new RegExp(`export (const|async function|function) ${method}\\b`).test(source)) {
          expect(res.body.paths[apiPath], `${method} ${apiPath}`).toHaveProperty([method.toLowerCase()]);
        }
      }
    }
  });
});
