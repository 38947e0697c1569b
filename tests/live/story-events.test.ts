import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "@/db";
import { aiJobs } from "@/db/ai-schema";
import { markLanded, publishJobUpdate } from "@/lib/ai";
import { createApiToken } from "@/lib/auth/api-tokens";
import { streamSlots } from "@/lib/http/stream-slots";
import type { Actor } from "@/lib/stories";
import { writePageContent } from "@/lib/stories/pages";
import { useTestDb } from "../helpers/db";
import { makeActor, makeAiJob, makeStory, randomId } from "../helpers/fixtures";

/**
 * GET /api/stories/{id}/events (issue 12, Security 5): who may open it, the caps with their 429, slots freed however
 * a stream ends, and what a page job looks like on it from partial text to its landed outcome.
 */
const mocks = vi.hoisted(() => ({
  currentActor: vi.fn<() => Promise<{ id: string; role: "author" | "admin" } | null>>(),
}));
vi.mock("@/lib/auth", () => ({
  currentActor: mocks.currentActor,
  // The events route watches the session it was opened with: a real row, so the stream stays open while it lives.
  currentSession: async () => {
    const actor = await mocks.currentActor();
    const { startSession } = await import("@/lib/auth/sessions");
    return actor ? { actor, sessionId: await startSession(actor.id) } : null;
  },
}));

const { GET } = await import("@/app/api/stories/[storyId]/events/route");

useTestDb();

let owner: Actor;
let other: Actor;
let admin: Actor;
beforeAll(async () => {
  owner = await makeActor("author");
  other = await makeActor("author");
  admin = await makeActor("admin");
});

/** Streams a test opened: every one is closed after the test, so slots never leak into the next. */
const open: AbortController[] = [];
afterEach(async () => {
  for (const controller of open.splice(0)) controller.abort();
  vi.unstubAllEnvs();
  await vi.waitFor(() => expect(streamSlots().counts().total).toBe(0));
});

async function openStream(storyId: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  open.push(controller);
  const response = await GET(
    new Request(`http://localhost/api/stories/${storyId}/events`, { headers, signal: controller.signal }),
    { params: Promise.resolve({ storyId }) },
  );
  return { response, controller };
}

/** Reads SSE `job` events from a stream until `until` accepts one (or the stream ends). */
async function readJobsUntil(response: Response, until: (job: Record<string, unknown>) => boolean) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const jobs: Record<string, unknown>[] = [];
  let buffer = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return jobs;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
        if (!block.startsWith("event: job\n")) continue;
        const job = JSON.parse(block.slice(block.indexOf("data: ") + 6)) as Record<string, unknown>;
        jobs.push(job);
        if (until(job)) return jobs;
      }
    }
  } finally {
    reader.releaseLock();
  }
}

describe("who may open a story's stream", () => {
  it("401 anonymous; 404 for another author's story as for a missing one; 400 for a bad id; owner and admin get SSE", async () => {
    const { story } = await makeStory(owner, ["Text."]);
    mocks.currentActor.mockResolvedValue(null);
    expect((await openStream(story.id)).response.status).toBe(401);

    mocks.currentActor.mockResolvedValue(other);
    const foreign = (await openStream(story.id)).response;
    const missing = (await openStream(randomId())).response;
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toEqual(await missing.json());
    expect((await openStream("not-an-id")).response.status).toBe(400);

    for (const actor of [owner, admin]) {
      mocks.currentActor.mockResolvedValue(actor);
      const { response } = await openStream(story.id);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain("text/event-stream");
      const reader = response.body!.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toMatch(/^retry: \d+\n\n/);
      reader.releaseLock();
    }
  });

  it("takes a personal API token instead of a session; a bad token is a 401 naming the scheme", async () => {
    const { story } = await makeStory(owner, ["Text."]);
    mocks.currentActor.mockResolvedValue(null);
    const { secret } = await createApiToken(owner, { name: "stream" });
    expect((await openStream(story.id, { authorization: `Bearer ${secret}` })).response.status).toBe(200);
    const { secret: otherSecret } = await createApiToken(other, { name: "stream" });
    expect((await openStream(story.id, { authorization: `Bearer ${otherSecret}` })).response.status).toBe(404);
    const bad = (await openStream(story.id, { authorization: "Bearer ss_nope" })).response;
    expect(bad.status).toBe(401);
    expect(bad.headers.get("www-authenticate")).toContain("Bearer");
  });
});

describe("caps on open streams", () => {
  it("refuses a user's stream beyond STREAMS_PER_USER with 429 and Retry-After; closing one frees its slot", async () => {
    vi.stubEnv("STREAMS_PER_USER", "2");
    const { story } = await makeStory(owner, ["Text."]);
    mocks.currentActor.mockResolvedValue(owner);
    const first = await openStream(story.id);
    const second = await openStream(story.id);
    expect([first.response.status, second.response.status]).toEqual([200, 200]);

    const refused = (await openStream(story.id)).response;
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("30");
    expect(await refused.json()).toMatchObject({
      code: "TOO_MANY_STREAMS",
      message: expect.stringContaining("too many live views"),
      details: { retryAfterSeconds: 30 },
    });
    // Another user is not held back by this one's streams.
    mocks.currentActor.mockResolvedValue(admin);
    expect((await openStream(story.id)).response.status).toBe(200);

    // The client goes away (the tab closes): its slot is free again.
    mocks.currentActor.mockResolvedValue(owner);
    first.controller.abort();
    expect((await openStream(story.id)).response.status).toBe(200);
    expect((await openStream(story.id)).response.status).toBe(429);

    // A stream cancelled by its reader frees its slot as well.
    await second.response.body!.cancel();
    expect((await openStream(story.id)).response.status).toBe(200);
  });

  it("refuses anyone's stream beyond STREAMS_PER_PROCESS", async () => {
    vi.stubEnv("STREAMS_PER_PROCESS", "2");
    const { story } = await makeStory(owner, ["Text."]);
    mocks.currentActor.mockResolvedValue(owner);
    expect((await openStream(story.id)).response.status).toBe(200);
    mocks.currentActor.mockResolvedValue(admin);
    const adminStream = await openStream(story.id);
    expect(adminStream.response.status).toBe(200);
    const { story: otherStory } = await makeStory(other, ["Text."]);
    mocks.currentActor.mockResolvedValue(other);
    const refused = (await openStream(otherStory.id)).response;
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("30");
    expect(await refused.json()).toMatchObject({
      code: "TOO_MANY_STREAMS",
      message: expect.stringContaining("server"),
    });
    adminStream.controller.abort();
    expect((await openStream(otherStory.id)).response.status).toBe(200);
  });

  it("counts only streams that opened: refused and unauthorised requests take no slot", async () => {
    vi.stubEnv("STREAMS_PER_USER", "1");
    const { story } = await makeStory(owner, ["Text."]);
    mocks.currentActor.mockResolvedValue(other);
    for (let i = 0; i < 3; i++) expect((await openStream(story.id)).response.status).toBe(404);
    expect(streamSlots().counts().total).toBe(0);
    mocks.currentActor.mockResolvedValue(owner);
    expect((await openStream(story.id)).response.status).toBe(200);
    expect((await openStream(story.id)).response.status).toBe(429);
    expect(streamSlots().counts().total).toBe(1);
  });
});

describe("what the stream carries", () => {
  it("a page job: its partial text as it is written, then its settled state with the landed page", async () => {
    const { story, pages } = await makeStory(owner, ["Old text."]);
    const db = await getDb();
    const jobId = await makeAiJob(pages[0]!.id, owner.id);
    await db
      .update(aiJobs)
      .set({
        jobType: "page_text.revise",
        status: "running",
        outputText: null,
        partialText: "Once",
        scopeType: "story",
        scopeId: story.id,
        startedAt: new Date(),
      })
      .where(eq(aiJobs.id, jobId));

    mocks.currentActor.mockResolvedValue(owner);
    const { response } = await openStream(story.id);
    const first = await readJobsUntil(response, (job) => job.id === jobId);
    expect(first.at(-1)).toMatchObject({
      id: jobId,
      jobType: "page_text.revise",
      targetType: "page",
      targetId: pages[0]!.id,
      pageId: pages[0]!.id,
      status: "running",
      partialText: "Once",
      resolution: null,
    });

    // Partial text published in this process goes out at once, before the next read of the ledger.
    publishJobUpdate({ jobId, partialText: "Once upon a time" });
    const pushed = await readJobsUntil(response, (job) => job.partialText === "Once upon a time");
    expect(pushed.at(-1)).toMatchObject({ id: jobId, status: "running" });

    // The job finishes and its text lands as a revision of the page.
    await db
      .update(aiJobs)
      .set({ status: "succeeded", outputText: "Once upon a time.", completedAt: new Date(), updatedAt: new Date() })
      .where(eq(aiJobs.id, jobId));
    await writePageContent(db, {
      pageId: pages[0]!.id,
      content: "Once upon a time.",
      baseVersion: 1,
      authorId: owner.id,
      source: "ai",
      jobId,
    });
    await markLanded(db, jobId);
    publishJobUpdate({ jobId, status: "succeeded" });
    const settled = await readJobsUntil(response, (job) => job.resolution === "applied");
    expect(settled.at(-1)).toMatchObject({
      id: jobId,
      status: "succeeded",
      outputText: "Once upon a time.",
      resolution: "applied",
      page: { content: "Once upon a time.", version: 2 },
    });
  });

  it("other job types of the story in the generic shape, and nothing of another story", async () => {
    const { story, pages } = await makeStory(owner, ["Text."]);
    const { story: elsewhere, pages: elsewherePages } = await makeStory(owner, ["Elsewhere."]);
    const db = await getDb();
    const [parent] = await db
      .insert(aiJobs)
      .values({
        jobType: "story.revise_pages",
        status: "running",
        targetType: "story",
        targetId: story.id,
        scopeType: "story",
        scopeId: story.id,
        requestedBy: owner.id,
        templateKey: "page_revise",
        templateVersion: 1,
        provider: "offline",
        model: "offline",
        promptPayload: {},
      })
      .returning();
    const childId = await makeAiJob(pages[0]!.id, owner.id);
    await db
      .update(aiJobs)
      .set({ parentJobId: parent!.id, scopeType: "story", scopeId: story.id })
      .where(eq(aiJobs.id, childId));
    const foreignJob = await makeAiJob(elsewherePages[0]!.id, owner.id);
    await db
      .update(aiJobs)
      .set({ status: "running", outputText: null, scopeType: "story", scopeId: elsewhere.id })
      .where(eq(aiJobs.id, foreignJob));

    mocks.currentActor.mockResolvedValue(owner);
    const { response } = await openStream(story.id);
    const seen = new Map<unknown, Record<string, unknown>>();
    await readJobsUntil(response, (job) => {
      seen.set(job.id, job);
      return seen.has(parent!.id) && seen.has(childId);
    });
    expect(seen.get(parent!.id)).toEqual({
      id: parent!.id,
      jobType: "story.revise_pages",
      targetType: "story",
      targetId: story.id,
      status: "running",
      parentJobId: null,
      errorCode: null,
      createdAt: parent!.createdAt.toISOString(),
      completedAt: null,
      progress: { done: 1, total: 1 },
    });
    expect(seen.get(childId)).toMatchObject({ parentJobId: parent!.id, status: "succeeded" });
    expect(seen.has(foreignJob)).toBe(false);
  });
});
