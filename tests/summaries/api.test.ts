import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { z } from "zod";
import { aiJobs } from "@/db/ai-schema";
import { pageSummaries } from "@/db/memory-schema";
import { users } from "@/db/schema";
import type { pageSummarySchema, summarizeAllAcceptedSchema } from "@/lib/http/api-schemas";
import { v1 } from "@/lib/http/v1-operations";
import type { Actor } from "@/lib/stories";
import type { ErrorAnswer } from "../api/route-call";
import { contractCheckedCallRoute } from "../api/v1-contract";
import { useTestDb } from "../helpers/db";
import { makeActor, makeStory, randomId } from "../helpers/fixtures";

/** REST API v1 for page summaries, each answer held to its operation (the OpenAPI document's source). */
vi.mock("@/lib/ai/jobs/queue", async (original) => ({
  ...(await original<typeof import("@/lib/ai/jobs/queue")>()),
  enqueueJob: vi.fn(async () => {}),
  requestJobCancel: vi.fn(async () => {}),
}));

type Summary = z.output<typeof pageSummarySchema>;
type Accepted = z.output<typeof summarizeAllAcceptedSchema>;

const tokens = await import("@/lib/auth/api-tokens");
const summary = await import("@/app/api/v1/pages/[pageId]/summary/route");
const refresh = await import("@/app/api/v1/stories/[storyId]/summaries/refresh/route");
const job = await import("@/app/api/v1/jobs/[jobId]/route");
const cancel = await import("@/app/api/v1/jobs/[jobId]/cancel/route");

const callRoute = contractCheckedCallRoute([
  [summary.GET, v1.getPageSummary],
  [summary.PUT, v1.pinPageSummary],
  [summary.DELETE, v1.unpinPageSummary],
  [refresh.POST, v1.summarizeAll],
  [job.GET, v1.getJob],
  [cancel.POST, v1.cancelJob],
]);

const { db } = useTestDb();

let a: Actor;
let b: Actor;
let tokenA: string;
let tokenB: string;

beforeAll(async () => {
  a = await makeActor();
  b = await makeActor();
  tokenA = (await tokens.createApiToken(a, { name: "A" })).secret;
  tokenB = (await tokens.createApiToken(b, { name: "B" })).secret;
});

const path = (pageId: string) => `/api/v1/pages/${pageId}/summary`;

describe("GET/PUT/DELETE /api/v1/pages/{pageId}/summary", () => {
  it("reads no summary yet, pins the author's own, and clears the pin", async () => {
    const { pages } = await makeStory(a, ["Mara climbed the stairs."]);
    const pageId = pages[0]!.id;
    const empty = await callRoute<Summary>(summary.GET, { path: path(pageId), token: tokenA, params: { pageId } });
    expect(empty.status).toBe(200);
    expect(empty.body).toMatchObject({ pageId, text: null, source: null, pinned: false, stale: false });

    const pinned = await callRoute<Summary>(summary.PUT, {
      method: "PUT",
      path: path(pageId),
      token: tokenA,
      params: { pageId },
      body: { text: "Mara goes up." },
    });
    expect(pinned.status).toBe(200);
    expect(pinned.body).toMatchObject({ text: "Mara goes up.", source: "author", pinned: true, stale: false });
    const [row] = await db().select().from(pageSummaries).where(eq(pageSummaries.pageId, pageId));
    expect(row).toMatchObject({ text: "Mara goes up.", pinned: true, authorId: a.id, pageVersion: 1 });

    const cleared = await callRoute<Summary>(summary.DELETE, {
      method: "DELETE",
      path: path(pageId),
      token: tokenA,
      params: { pageId },
    });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ text: "Mara goes up.", pinned: false, stale: true });
    // Clearing asked for the AI's summary at once.
    expect(cleared.body.job).toMatchObject({ status: "pending" });
    const [scheduled] = await db().select().from(aiJobs).where(eq(aiJobs.id, cleared.body.job!.id));
    expect(scheduled).toMatchObject({ jobType: "page.summarize", targetType: "page_summary", targetId: pageId });

    // The summary job reads like a page's job at the jobs endpoints, for its page's author only.
    const jobId = scheduled!.id;
    const read = await callRoute<{ jobType: string; pageId: string }>(job.GET, { token: tokenA, params: { jobId } });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: jobId, jobType: "page.summarize", pageId, status: "pending" });
    expect((await callRoute(job.GET, { token: tokenB, params: { jobId } })).status).toBe(404);
    const cancelled = await callRoute(cancel.POST, { method: "POST", token: tokenA, params: { jobId } });
    expect(cancelled).toMatchObject({ status: 200, body: { id: jobId, status: "cancelled" } });
  });

  it("a roll-up job the job list shows reads and cancels by id as its ledger row, for the story's readers only", async () => {
    const { story } = await makeStory(a, ["Text."]);
    const [rollup] = await db()
      .insert(aiJobs)
      .values({
        jobType: "story.rollup",
        targetType: "story_rollup",
        targetId: randomId(),
        scopeType: "story",
        scopeId: story.id,
        requestedBy: a.id,
        templateKey: "story_rollup",
        templateVersion: 1,
        provider: "offline",
        model: "offline",
        instruction: "",
        promptPayload: {},
        contextLeftOut: [],
      })
      .returning();
    const jobId = rollup!.id;
    const read = await callRoute(job.GET, { token: tokenA, params: { jobId } });
    expect(read).toMatchObject({
      status: 200,
      body: { id: jobId, jobType: "story.rollup", storyId: story.id, status: "pending", modelLabel: "offline model" },
    });
    expect((await callRoute(job.GET, { token: tokenB, params: { jobId } })).status).toBe(404);
    expect((await callRoute(cancel.POST, { method: "POST", token: tokenB, params: { jobId } })).status).toBe(404);
    const cancelled = await callRoute(cancel.POST, { method: "POST", token: tokenA, params: { jobId } });
    expect(cancelled).toMatchObject({ status: 200, body: { id: jobId, status: "cancelled" } });
  });

  it("refuses an empty, over-long or NUL summary with 400 naming the field, and saves nothing", async () => {
    const { pages } = await makeStory(a, ["Text."]);
    const pageId = pages[0]!.id;
    for (const text of ["   ", "x".repeat(2001), "bad\u0000text"]) {
      const answer = await callRoute<ErrorAnswer>(summary.PUT, {
        method: "PUT",
        path: path(pageId),
        token: tokenA,
        params: { pageId },
        body: { text },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe("VALIDATION");
      expect(Object.keys(answer.body.details?.fields ?? {})).toEqual(["text"]);
    }
    const missingBody = await callRoute<ErrorAnswer>(summary.PUT, {
      method: "PUT",
      path: path(pageId),
      token: tokenA,
      params: { pageId },
      body: {},
    });
    expect(missingBody.status).toBe(400);
    expect(await db().select().from(pageSummaries).where(eq(pageSummaries.pageId, pageId))).toEqual([]);
  });

  it("answers another author's page, a missing page and an anonymous caller like the rest of the API", async () => {
    const { pages } = await makeStory(a, ["Secret."]);
    const pageId = pages[0]!.id;
    for (const [handler, method] of [
      [summary.GET, "GET"],
      [summary.PUT, "PUT"],
      [summary.DELETE, "DELETE"],
    ] as const) {
      const body = method === "PUT" ? { text: "Mine now." } : undefined;
      const foreign = await callRoute<ErrorAnswer>(handler, { method, token: tokenB, params: { pageId }, body });
      expect(foreign.status).toBe(404);
      const missing = await callRoute<ErrorAnswer>(handler, {
        method,
        token: tokenA,
        params: { pageId: randomId() },
        body,
      });
      expect(missing.status).toBe(404);
      expect(foreign.body.message).toBe(missing.body.message);
      const anonymous = await callRoute<ErrorAnswer>(handler, { method, params: { pageId }, body });
      expect(anonymous.status).toBe(401);
    }
    expect(await db().select().from(pageSummaries).where(eq(pageSummaries.pageId, pageId))).toEqual([]);
  });
});

describe("POST /api/v1/stories/{storyId}/summaries/refresh", () => {
  it("starts Summarize all (202, Location), joins it while it runs, and the job is readable and cancellable", async () => {
    const { story } = await makeStory(a, ["One.", "Two.", ""]);
    const started = await callRoute<Accepted>(refresh.POST, {
      method: "POST",
      token: tokenA,
      params: { storyId: story.id },
    });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({
      created: true,
      job: { jobType: "story.summarize_pages", storyId: story.id, status: "pending", total: 2, done: 0 },
    });
    expect(started.headers.get("location")).toBe(`/api/v1/jobs/${started.body.job.id}`);

    const joined = await callRoute<Accepted>(refresh.POST, {
      method: "POST",
      token: tokenA,
      params: { storyId: story.id },
    });
    expect(joined.body).toMatchObject({ created: false, job: { id: started.body.job.id } });

    const jobId = started.body.job.id;
    const read = await callRoute<Accepted["job"]>(job.GET, { token: tokenA, params: { jobId } });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: jobId, jobType: "story.summarize_pages" });
    expect((await callRoute(job.GET, { token: tokenB, params: { jobId } })).status).toBe(404);
    expect((await callRoute(cancel.POST, { method: "POST", token: tokenB, params: { jobId } })).status).toBe(404);

    const cancelled = await callRoute<Accepted["job"]>(cancel.POST, {
      method: "POST",
      token: tokenA,
      params: { jobId },
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: jobId, status: "cancelled" });
  });

  it("refuses another author's story (404) and a spent budget (429 GEN_BUDGET_EXCEEDED), creating no job", async () => {
    const { story } = await makeStory(a, ["One."]);
    const foreign = await callRoute<ErrorAnswer>(refresh.POST, {
      method: "POST",
      token: tokenB,
      params: { storyId: story.id },
    });
    expect(foreign.status).toBe(404);
    await db().update(users).set({ dailyTokenBudget: 0 }).where(eq(users.id, a.id));
    try {
      const refused = await callRoute<ErrorAnswer>(refresh.POST, {
        method: "POST",
        token: tokenA,
        params: { storyId: story.id },
      });
      expect(refused.body.code).toBe("GEN_BUDGET_EXCEEDED");
    } finally {
      await db().update(users).set({ dailyTokenBudget: null }).where(eq(users.id, a.id));
    }
    expect(await db().select().from(aiJobs).where(eq(aiJobs.targetId, story.id))).toEqual([]);
  });
});
