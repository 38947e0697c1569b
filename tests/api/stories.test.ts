import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { z } from "zod";
import { aiJobs } from "@/db/ai-schema";
import type {
  pageAnswerSchema,
  pageListSchema,
  revisionAcceptedSchema,
  storyAnswerSchema,
  storyListSchema,
} from "@/lib/http/api-schemas";
import { v1 } from "@/lib/http/v1-operations";
import type { Actor } from "@/lib/stories";
import { limits } from "@/lib/stories/limits";
import { useTestDb } from "../helpers/db";
import { liveOrder, makeActor, makeStory, pageRow, revisionsOf, storyRow, ZERO_UUID } from "../helpers/fixtures";
import type { ErrorAnswer } from "./route-call";
import { contractCheckedCallRoute } from "./v1-contract";

/** REST API v1 for stories, pages and background revisions, called as Next calls the route handlers. */
vi.mock("@/lib/ai/jobs/queue", async (original) => ({
  ...(await original<typeof import("@/lib/ai/jobs/queue")>()),
  enqueueJob: vi.fn(async () => {}),
  requestJobCancel: vi.fn(async () => {}),
}));

type StoryAnswer = z.output<typeof storyAnswerSchema>;
type StoryList = z.output<typeof storyListSchema>;
type PageAnswer = z.output<typeof pageAnswerSchema>;
type PageList = z.output<typeof pageListSchema>;
type RevisionAccepted = z.output<typeof revisionAcceptedSchema>;

const tokens = await import("@/lib/auth/api-tokens");
const storiesRoute = await import("@/app/api/v1/stories/route");
const storyRoute = await import("@/app/api/v1/stories/[storyId]/route");
const pagesRoute = await import("@/app/api/v1/stories/[storyId]/pages/route");
const pageRoute = await import("@/app/api/v1/pages/[pageId]/route");
const moveRoute = await import("@/app/api/v1/pages/[pageId]/move/route");
const revisionsRoute = await import("@/app/api/v1/stories/[storyId]/revisions/route");
const jobRoute = await import("@/app/api/v1/jobs/[jobId]/route");
const cancelRoute = await import("@/app/api/v1/jobs/[jobId]/cancel/route");

// Every answer is also held to its operation (the OpenAPI document's source): status declared, body parses whole.
const callRoute = contractCheckedCallRoute([
  [storiesRoute.GET, v1.listStories],
  [storiesRoute.POST, v1.createStory],
  [storyRoute.GET, v1.getStory],
  [storyRoute.PATCH, v1.updateStory],
  [storyRoute.DELETE, v1.deleteStory],
  [pagesRoute.GET, v1.listPages],
  [pagesRoute.POST, v1.createPage],
  [pageRoute.GET, v1.getPage],
  [pageRoute.PATCH, v1.updatePage],
  [pageRoute.DELETE, v1.deletePage],
  [moveRoute.POST, v1.movePage],
  [revisionsRoute.POST, v1.startRevision],
  [jobRoute.GET, v1.getJob],
  [cancelRoute.POST, v1.cancelJob],
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
  tokenA = (await tokens.createApiToken(a, { name: "A" })).secret;
  tokenB = (await tokens.createApiToken(b, { name: "B" })).secret;
  tokenAdmin = (await tokens.createApiToken(admin, { name: "admin" })).secret;
});

/** What another author gets must equal what an unknown id gets: nothing reveals that the story exists. */
async function expectHiddenFromB(
  handler: unknown,
  options: { method?: string; params: Record<string, string>; body?: unknown },
  unknown: Record<string, string>,
): Promise<void> {
  const theirs = await callRoute<ErrorAnswer>(handler, { ...options, token: tokenB });
  const missing = await callRoute<ErrorAnswer>(handler, { ...options, params: unknown, token: tokenA });
  expect(theirs.status).toBe(404);
  expect(theirs.body.code).toBe("NOT_FOUND");
  expect(theirs.body).toEqual(missing.body);
}

describe("stories", () => {
  it("creates (201 + Location), reads, updates and deletes a story; the owner is the token's user", async () => {
    const created = await callRoute<StoryAnswer>(storiesRoute.POST, {
      token: tokenA,
      body: { title: "  The Harbour  ", description: "Sea.", language: "pt-br" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ title: "The Harbour", ownerId: a.id, language: "pt-BR", pageCount: 0 });
    expect(created.headers.get("location")).toBe(`/api/v1/stories/${created.body.id}`);
    const storyId = created.body.id;

    const got = await callRoute<StoryAnswer>(storyRoute.GET, { token: tokenA, params: { storyId } });
    expect(got).toMatchObject({ status: 200, body: { id: storyId, description: "Sea." } });

    const patched = await callRoute<StoryAnswer>(storyRoute.PATCH, {
      method: "PATCH",
      token: tokenA,
      params: { storyId },
      body: { title: "The Lighthouse" },
    });
    expect(patched).toMatchObject({ status: 200, body: { id: storyId, title: "The Lighthouse", description: "Sea." } });
    expect(await storyRow(storyId)).toMatchObject({ title: "The Lighthouse" });

    const deleted = await callRoute(storyRoute.DELETE, { method: "DELETE", token: tokenA, params: { storyId } });
    expect(deleted).toMatchObject({ status: 200, body: { id: storyId, deleted: true } });
    expect(await storyRow(storyId)).toBeUndefined();
    expect((await callRoute(storyRoute.GET, { token: tokenA, params: { storyId } })).status).toBe(404);
  });

  it("bad input is a 400 naming the field, and nothing is written", async () => {
    const noTitle = await callRoute<ErrorAnswer>(storiesRoute.POST, { token: tokenA, body: { title: "  " } });
    expect(noTitle).toMatchObject({ status: 400, body: { code: "VALIDATION" } });
    expect(noTitle.body.details?.fields).toHaveProperty("title");
    const badLanguage = await callRoute<ErrorAnswer>(storiesRoute.POST, {
      token: tokenA,
      body: { title: "x", language: "not a tag!" },
    });
    expect(badLanguage.body.details?.fields).toHaveProperty("language");
    const notObject = await callRoute<ErrorAnswer>(storiesRoute.POST, { token: tokenA, body: ["x"] });
    expect(notObject).toMatchObject({ status: 400, body: { details: { fields: { body: expect.any(String) } } } });
    const notJson = await callRoute<ErrorAnswer>(storiesRoute.POST, { token: tokenA, rawBody: "{title" });
    expect(notJson.status).toBe(400);
    const badId = await callRoute<ErrorAnswer>(storyRoute.GET, { token: tokenA, params: { storyId: "nope" } });
    expect(badId).toMatchObject({ status: 400, body: { details: { fields: { storyId: "Not a valid id." } } } });
    const { story } = await makeStory(a, [], "Kept");
    const tooLong = await callRoute<ErrorAnswer>(storyRoute.PATCH, {
      method: "PATCH",
      token: tokenA,
      params: { storyId: story.id },
      body: { title: "x".repeat(201) },
    });
    expect(tooLong.body.details?.fields).toHaveProperty("title");
    expect(await storyRow(story.id)).toMatchObject({ title: "Kept" });
    expect((await callRoute(storiesRoute.POST, { body: { title: "x" } })).status).toBe(401);
  });

  it("another author's story answers exactly like an unknown id (404), and is not changed", async () => {
    const { story } = await makeStory(a, ["One."], "A's");
    const params = { storyId: story.id };
    const unknown = { storyId: ZERO_UUID };
    await expectHiddenFromB(storyRoute.GET, { params }, unknown);
    await expectHiddenFromB(storyRoute.PATCH, { method: "PATCH", params, body: { title: "Mine now" } }, unknown);
    await expectHiddenFromB(storyRoute.DELETE, { method: "DELETE", params }, unknown);
    expect(await storyRow(story.id)).toMatchObject({ title: "A's" });
    // An admin's token acts as the admin: may read and change anyone's story.
    expect((await callRoute(storyRoute.GET, { token: tokenAdmin, params })).status).toBe(200);
  });

  it("lists the caller's stories newest change first in keyset pages that cover each story once", async () => {
    const c = await makeActor();
    const tokenC = (await tokens.createApiToken(c, { name: "C" })).secret;
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await makeStory(c, i === 0 ? ["p"] : [], `S${i}`)).story.id);
    // Two stories with the very same updated_at: the id breaks the tie, and neither is skipped nor repeated.
    // Set in SQL: a JS Date would drop the microseconds the cursor must keep.
    await db().execute(sql`update stories set updated_at = ${"2030-01-01 00:00:00.123456+00"} where id = ${made[2]!}`);
    await db().execute(sql`update stories set updated_at = ${"2030-01-01 00:00:00.123456+00"} where id = ${made[1]!}`);
    const { story: bStory } = await makeStory(b, [], "B's");

    const seen: StoryAnswer[] = [];
    let cursor: string | null = null;
    let calls = 0;
    do {
      const path = `/api/v1/stories?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const answer: { status: number; body: StoryList } = await callRoute<StoryList>(storiesRoute.GET, {
        token: tokenC,
        path,
      });
      expect(answer.status).toBe(200);
      expect(answer.body.stories.length).toBeLessThanOrEqual(2);
      seen.push(...answer.body.stories);
      cursor = answer.body.nextCursor;
      calls++;
    } while (cursor && calls < 10);
    expect(calls).toBe(3);
    const ids = seen.map((s) => s.id);
    expect(new Set(ids).size).toBe(5);
    expect(ids.sort()).toEqual([...made].sort());
    expect(ids).not.toContain(bStory.id);
    // The two tied stories come first (newest), the larger id first.
    const [first, second] = seen.slice(0, 2).map((s) => s.id);
    expect([first, second]).toEqual([made[1]!, made[2]!].sort().reverse());
    expect(seen.find((s) => s.id === made[0])!.pageCount).toBe(1);
  });

  it("refuses a bad cursor or limit with a 400 naming it", async () => {
    for (const path of [
      "/api/v1/stories?cursor=garbage",
      `/api/v1/stories?cursor=${Buffer.from(JSON.stringify(["yesterday", ZERO_UUID])).toString("base64url")}`,
      "/api/v1/stories?limit=0",
      "/api/v1/stories?limit=101",
    ]) {
      const answer = await callRoute<ErrorAnswer>(storiesRoute.GET, { token: tokenA, path });
      expect(answer.status, path).toBe(400);
      expect(Object.keys(answer.body.details?.fields ?? {}), path).toEqual([
        path.includes("limit") ? "limit" : "cursor",
      ]);
    }
  });

  it("the list reads the (owner_id, updated_at, id) index, not the whole table", async () => {
    const plan = await db().transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      const result = await tx.execute(
        sql`explain select * from stories where owner_id = ${a.id}
            and (updated_at, id) < (now(), ${ZERO_UUID}::uuid) order by updated_at desc, id desc limit 21`,
      );
      return JSON.stringify(result);
    });
    expect(plan).toContain("stories_owner_updated_idx");
    expect(plan).not.toMatch(/Sort/);
  });
});

describe("pages", () => {
  it("lists a story's pages in order with numbers, in keyset pages whose numbers continue", async () => {
    const { story, pages } = await makeStory(a, ["one", "two", "three"]);
    const first = await callRoute<PageList>(pagesRoute.GET, {
      token: tokenA,
      path: `/api/v1/stories/${story.id}/pages?limit=2`,
      params: { storyId: story.id },
    });
    expect(first.status).toBe(200);
    expect(first.body.pages.map((p) => [p.number, p.content])).toEqual([
      [1, "one"],
      [2, "two"],
    ]);
    const rest = await callRoute<PageList>(pagesRoute.GET, {
      token: tokenA,
      path: `/api/v1/stories/${story.id}/pages?limit=2&cursor=${first.body.nextCursor}`,
      params: { storyId: story.id },
    });
    expect(rest.body).toEqual({
      pages: [expect.objectContaining({ id: pages[2]!.id, number: 3, version: 1 })],
      nextCursor: null,
    });
    await expectHiddenFromB(pagesRoute.GET, { params: { storyId: story.id } }, { storyId: ZERO_UUID });
  });

  it("adds a page at the end, after a page or before one (201 + Location)", async () => {
    const { story, pages } = await makeStory(a, ["one", "two"]);
    const add = (body: unknown) =>
      callRoute<PageAnswer>(pagesRoute.POST, { token: tokenA, params: { storyId: story.id }, body });
    const end = await add({ content: "end" });
    expect(end).toMatchObject({ status: 201, body: { number: 3, content: "end", version: 1, storyId: story.id } });
    expect(end.headers.get("location")).toBe(`/api/v1/pages/${end.body.id}`);
    const front = await add({ beforePageId: pages[0]!.id, content: "front" });
    expect(front.body.number).toBe(1);
    const middle = await add({ afterPageId: pages[0]!.id });
    expect(middle.body).toMatchObject({ number: 3, content: "" });
    expect(await liveOrder(story.id)).toEqual([front.body.id, pages[0]!.id, middle.body.id, pages[1]!.id, end.body.id]);

    const both = await add({ afterPageId: pages[0]!.id, beforePageId: pages[1]!.id });
    expect(both).toMatchObject({ status: 400, body: { details: { fields: { beforePageId: expect.any(String) } } } });
    expect((await add({ afterPageId: ZERO_UUID })).status).toBe(404);
    expect((await add({ content: 5 })).status).toBe(400);
    const tooLong = await add({ content: "x".repeat(100_001) });
    expect(tooLong).toMatchObject({ status: 413, body: { code: "LIMIT_EXCEEDED" } });
    expect(await liveOrder(story.id)).toHaveLength(5);
    // Another author may not add to A's story, nor insert next to A's page in their own story.
    await expectHiddenFromB(pagesRoute.POST, { params: { storyId: story.id }, body: {} }, { storyId: ZERO_UUID });
    const { story: bStory } = await makeStory(b, []);
    const sneaky = await callRoute(pagesRoute.POST, {
      token: tokenB,
      params: { storyId: bStory.id },
      body: { afterPageId: pages[0]!.id },
    });
    expect(sneaky.status).toBe(404);
  });

  it("reads and writes a page from its version: a stale version is 409 CONFLICT with the page as it is now", async () => {
    const { pages } = await makeStory(a, ["first draft"]);
    const pageId = pages[0]!.id;
    const got = await callRoute<PageAnswer>(pageRoute.GET, { token: tokenA, params: { pageId } });
    expect(got.body).toMatchObject({ id: pageId, number: 1, content: "first draft", version: 1 });

    const saved = await callRoute<PageAnswer>(pageRoute.PATCH, {
      method: "PATCH",
      token: tokenA,
      params: { pageId },
      body: { content: "second draft", baseVersion: 1 },
    });
    expect(saved).toMatchObject({ status: 200, body: { content: "second draft", version: 2 } });
    expect((await revisionsOf(pageId)).map((r) => r.version)).toEqual([1, 2]);

    const stale = await callRoute<ErrorAnswer & { details: { current: unknown } }>(pageRoute.PATCH, {
      method: "PATCH",
      token: tokenA,
      params: { pageId },
      body: { content: "lost update", baseVersion: 1 },
    });
    expect(stale).toMatchObject({
      status: 409,
      body: { code: "CONFLICT", details: { current: { content: "second draft", version: 2 } } },
    });
    expect(await pageRow(pageId)).toMatchObject({ content: "second draft", version: 2 });

    // A full page fits the body (more than the API's usual 64 KB); one character more is refused by the page limit.
    const full = "Ünïcödé wörds ".repeat(limits.pageMax / 14).padEnd(limits.pageMax, "ß");
    const fullSave = await callRoute<PageAnswer>(pageRoute.PATCH, {
      method: "PATCH",
      token: tokenA,
      params: { pageId },
      body: { content: full, baseVersion: 2 },
    });
    expect(fullSave).toMatchObject({ status: 200, body: { version: 3 } });
    expect(fullSave.body.content).toHaveLength(limits.pageMax);
    const over = await callRoute<ErrorAnswer>(pageRoute.PATCH, {
      method: "PATCH",
      token: tokenA,
      params: { pageId },
      body: { content: `${full}!`, baseVersion: 3 },
    });
    expect(over).toMatchObject({
      status: 413,
      body: { code: "LIMIT_EXCEEDED", details: { limit: limits.pageMax, length: limits.pageMax + 1 } },
    });

    for (const body of [{ content: "x" }, { content: "x", baseVersion: 0 }, { content: 1, baseVersion: 2 }]) {
      const bad = await callRoute<ErrorAnswer>(pageRoute.PATCH, {
        method: "PATCH",
        token: tokenA,
        params: { pageId },
        body,
      });
      expect(bad.status, JSON.stringify(body)).toBe(400);
    }
    await expectHiddenFromB(pageRoute.GET, { params: { pageId } }, { pageId: ZERO_UUID });
    await expectHiddenFromB(
      pageRoute.PATCH,
      { method: "PATCH", params: { pageId }, body: { content: "B was here", baseVersion: 2 } },
      { pageId: ZERO_UUID },
    );
    expect(await pageRow(pageId)).toMatchObject({ content: full, version: 3 });
  });

  it("deletes a page (soft: kept for Undo); a deleted page is then 404", async () => {
    const { story, pages } = await makeStory(a, ["one", "two"]);
    const pageId = pages[0]!.id;
    await expectHiddenFromB(pageRoute.DELETE, { method: "DELETE", params: { pageId } }, { pageId: ZERO_UUID });
    const deleted = await callRoute(pageRoute.DELETE, { method: "DELETE", token: tokenA, params: { pageId } });
    expect(deleted).toMatchObject({ status: 200, body: { id: pageId, deleted: true } });
    expect((await pageRow(pageId))!.deletedAt).toBeInstanceOf(Date);
    expect(await liveOrder(story.id)).toEqual([pages[1]!.id]);
    expect((await callRoute(pageRoute.GET, { token: tokenA, params: { pageId } })).status).toBe(404);
    expect((await callRoute(pageRoute.DELETE, { method: "DELETE", token: tokenA, params: { pageId } })).status).toBe(
      404,
    );
  });

  it("moves a page one step or after any page (null: to the front); only that page's key changes", async () => {
    const { story, pages } = await makeStory(a, ["one", "two", "three", "four"]);
    const [p1, p2, p3, p4] = pages.map((p) => p.id) as [string, string, string, string];
    const move = (pageId: string, body: unknown, token = tokenA) =>
      callRoute<PageAnswer>(moveRoute.POST, { token, params: { pageId }, body });

    const front = await move(p4, { afterPageId: null });
    expect(front).toMatchObject({ status: 200, body: { id: p4, number: 1 } });
    expect(await liveOrder(story.id)).toEqual([p4, p1, p2, p3]);
    const before = await pageRow(p2);
    expect((await move(p1, { afterPageId: p3 })).body.number).toBe(4);
    expect(await liveOrder(story.id)).toEqual([p4, p2, p3, p1]);
    expect((await pageRow(p2))!.position).toBe(before!.position);
    expect((await move(p3, { direction: "up" })).body.number).toBe(2);
    expect(await liveOrder(story.id)).toEqual([p4, p3, p2, p1]);
    // Already in place: answered as it is.
    expect((await move(p2, { afterPageId: p3 })).body.number).toBe(3);

    expect((await move(p1, { afterPageId: p1 })).status).toBe(400);
    expect((await move(p1, { direction: "sideways" })).status).toBe(400);
    expect((await move(p1, {})).status).toBe(400);
    expect((await move(p1, { afterPageId: ZERO_UUID })).status).toBe(404);
    const { pages: bPages } = await makeStory(b, ["B's"]);
    expect((await move(p1, { afterPageId: bPages[0]!.id })).status).toBe(404);
    await expectHiddenFromB(
      moveRoute.POST,
      { params: { pageId: p1 }, body: { direction: "up" } },
      { pageId: ZERO_UUID },
    );
    expect(await liveOrder(story.id)).toEqual([p4, p3, p2, p1]);
  });
});

describe("background revisions", () => {
  it("starts one (202 + Location of its job), joins a running one, reads progress and cancels by job id", async () => {
    const { story, pages } = await makeStory(a, ["One.", "Two.", ""]);
    const body = { pageIds: [pages[0]!.id, pages[1]!.id], instruction: "warmer" };
    const started = await callRoute<RevisionAccepted>(revisionsRoute.POST, {
      token: tokenA,
      params: { storyId: story.id },
      body,
    });
    expect(started).toMatchObject({
      status: 202,
      body: { created: true, job: { jobType: "story.revise_pages", storyId: story.id, status: "pending", total: 2 } },
    });
    const jobId = started.body.job.id;
    expect(started.headers.get("location")).toBe(`/api/v1/jobs/${jobId}`);
    const [row] = await db().select().from(aiJobs).where(eq(aiJobs.id, jobId));
    expect(row).toMatchObject({ requestedBy: a.id, instruction: "warmer" });

    const joined = await callRoute<RevisionAccepted>(revisionsRoute.POST, {
      token: tokenA,
      params: { storyId: story.id },
      body,
    });
    expect(joined.body).toMatchObject({ created: false, job: { id: jobId } });

    const progress = await callRoute(jobRoute.GET, { token: tokenA, params: { jobId } });
    expect(progress).toMatchObject({ status: 200, body: { id: jobId, jobType: "story.revise_pages", done: 0 } });
    const cancelled = await callRoute(cancelRoute.POST, { token: tokenA, params: { jobId } });
    expect(cancelled).toMatchObject({ status: 200, body: { id: jobId, status: "cancelled" } });
  });

  it("refuses bad input (400 naming the field, blank pages named) and hides another author's story (404)", async () => {
    const { story, pages } = await makeStory(a, ["One.", ""]);
    const start = (body: unknown, token = tokenA, storyId = story.id) =>
      callRoute<ErrorAnswer>(revisionsRoute.POST, { token, params: { storyId }, body });
    expect((await start({ pageIds: [], instruction: "x" })).body.details?.fields).toHaveProperty("pageIds");
    expect((await start({ pageIds: [pages[0]!.id], instruction: " " })).body.details?.fields).toHaveProperty(
      "instruction",
    );
    const blank = await start({ pageIds: [pages[1]!.id], instruction: "x" });
    expect(blank).toMatchObject({ status: 400, body: { message: expect.stringContaining("Page 2 is blank") } });
    expect((await start({ pageIds: [ZERO_UUID], instruction: "x" })).status).toBe(404);
    await expectHiddenFromB(
      revisionsRoute.POST,
      { params: { storyId: story.id }, body: { pageIds: [pages[0]!.id], instruction: "x" } },
      { storyId: ZERO_UUID },
    );
    expect(await db().select().from(aiJobs).where(eq(aiJobs.targetId, story.id))).toEqual([]);
  });
});
