import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { pageSuggestions } from "@/db/suggestions-schema";
import type { ActionResult } from "@/lib/action-result";
import type { Actor } from "@/lib/stories";
import { writePageContent } from "@/lib/stories/pages";
import { useTestDb } from "../helpers/db";
import { addMember, makeActor, makeAiJob, makeStory } from "../helpers/fixtures";

/**
 * Every generation function, server action and route × {anonymous, another author, the owner, an admin}, and the
 * functions × the story's editor and reader.
 * The tables are keyed by the modules' exports, so a new function or action without a row fails the first tests.
 */
const mocks = vi.hoisted(() => ({
  currentActor: vi.fn<() => Promise<{ id: string; role: "author" | "admin" } | null>>(),
}));
vi.mock("@/lib/auth", () => ({ currentActor: mocks.currentActor }));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
// No engine runs in this file: sending the event fails and the job stays pending for the sweeper, as designed.
vi.mock("@/lib/ai/jobs/queue", () => ({ enqueueJob: vi.fn(async () => {}), requestJobCancel: vi.fn(async () => {}) }));

// The page-job and single-suggestion modules, which used to be one file (generation.ts).
const domain = {
  ...(await import("@/lib/stories/page-jobs/request")),
  ...(await import("@/lib/stories/page-jobs/read")),
  ...(await import("@/lib/stories/page-jobs/cancel")),
  ...(await import("@/lib/stories/page-jobs/undo")),
  ...(await import("@/lib/stories/page-jobs/dry-run")),
  ...(await import("@/lib/stories/page-jobs/view")),
  ...(await import("@/lib/stories/page-jobs/land")),
  ...(await import("@/lib/stories/suggestions/list")),
  ...(await import("@/lib/stories/suggestions/review")),
  ...(await import("@/lib/stories/suggestions/write")),
};
const actions = await import("@/app/actions/generation");
const jobRoute = await import("@/app/api/jobs/[jobId]/route");

useTestDb();

interface World {
  storyId: string;
  pageId: string;
  blankPageId: string;
  jobId: string;
  suggestionId: string;
}

let owner: Actor;
let other: Actor;
let admin: Actor;
let editor: Actor;
let reader: Actor;

/** A fresh world per call: a story of the owner with a written AI job (applied) and an open suggestion. */
async function makeWorld(): Promise<World> {
  const { story, pages } = await makeStory(owner, ["Text to revise.", "", "More text."]);
  await addMember(story.id, editor, "editor");
  await addMember(story.id, reader, "reader");
  const { getDb } = await import("@/db");
  const db = await getDb();
  const jobId = await makeAiJob(pages[0]!.id, owner.id);
  await writePageContent(db, {
    pageId: pages[0]!.id,
    content: "machine text",
    baseVersion: 1,
    authorId: owner.id,
    source: "ai",
    jobId,
  });
  const suggestionJob = await makeAiJob(pages[2]!.id, owner.id);
  const [suggestion] = await db
    .insert(pageSuggestions)
    .values({ pageId: pages[2]!.id, jobId: suggestionJob, content: "Suggested.", baseVersion: 1 })
    .returning();
  await db.update(aiJobs).set({ status: "succeeded" }).where(eq(aiJobs.id, jobId));
  return { storyId: story.id, pageId: pages[0]!.id, blankPageId: pages[1]!.id, jobId, suggestionId: suggestion!.id };
}

const inputs: Record<string, (w: World) => unknown> = {
  requestPageText: (w) => ({ pageId: w.blankPageId }),
  requestPageTextOutcome: (w) => ({ pageId: w.blankPageId }),
  getPageJob: (w) => ({ jobId: w.jobId }),
  getLatestPageJob: (w) => ({ pageId: w.pageId }),
  cancelPageJob: (w) => ({ jobId: w.jobId }),
  listOpenSuggestions: (w) => ({ storyId: w.storyId }),
  applySuggestion: (w) => ({ suggestionId: w.suggestionId }),
  discardSuggestion: (w) => ({ suggestionId: w.suggestionId }),
  // The world's suggestion replaces the page's one paragraph: change 0 is all of it.
  takeSuggestionParagraphs: (w) => ({ suggestionId: w.suggestionId, baseVersion: 1, changes: [0] }),
  listActivePageJobs: (w) => ({ storyId: w.storyId }),
  undoPageJob: (w) => ({ jobId: w.jobId }),
  checkPageTextRequest: (w) => ({ pageId: w.pageId }),
};
/** Exported functions that take no actor, each with the reason. */
const internal = {
  toPageJobView: "maps a row the caller already authorized",
  resolutionOf: "reads where a job the caller already loaded landed",
  attemptOf: "reads the attempt and retry state of a job the caller already loaded",
  loadPageJobFor: "the access check behind getPageJob, cancelPageJob and undoPageJob (covered by their rows)",
  applyPageJobResult: "runs inside the Inngest function after the job succeeded (no user)",
  writeSuggestion: "the write behind applySuggestion / Apply all, called after they authorized the suggestion",
};

/** What each function does when let through: its answer, and for writes the rows it changed. */
const passes: Record<string, (result: unknown, w: World, actor: Actor) => Promise<void> | void> = {
  requestPageText: (job, w) => {
    expect(job).toMatchObject({ pageId: w.blankPageId, status: "pending", jobType: "page_text.write" });
  },
  requestPageTextOutcome: (outcome, w) => {
    expect(outcome).toMatchObject({
      created: true,
      job: { pageId: w.blankPageId, status: "pending", jobType: "page_text.write" },
    });
  },
  getPageJob: (job, w) => {
    expect(job).toMatchObject({ id: w.jobId, pageId: w.pageId, status: "succeeded" });
  },
  // The world's only job has finished: nothing is running on the page.
  getLatestPageJob: (job) => {
    expect(job).toBeNull();
  },
  // A finished job cannot be cancelled any more: the answer is the job as it stands.
  cancelPageJob: (job, w) => {
    expect(job).toMatchObject({ id: w.jobId, status: "succeeded" });
  },
  listOpenSuggestions: (list, w) => {
    expect((list as { id: string; status: string }[]).map((s) => [s.id, s.status])).toEqual([[w.suggestionId, "open"]]);
  },
  applySuggestion: async (page, w, actor) => {
    expect(page).toMatchObject({ content: "Suggested.", version: 2 });
    expect(await suggestionRow(w.suggestionId)).toMatchObject({ status: "applied", resolvedBy: actor.id });
  },
  takeSuggestionParagraphs: async (taken, w, actor) => {
    expect(taken).toMatchObject({ page: { content: "Suggested.", version: 2 }, suggestionApplied: true });
    expect(await suggestionRow(w.suggestionId)).toMatchObject({ status: "applied", resolvedBy: actor.id });
  },
  // No answer (the action sends it as null): the row says what happened.
  discardSuggestion: async (result, w, actor) => {
    expect(result ?? null).toBeNull();
    expect(await suggestionRow(w.suggestionId)).toMatchObject({ status: "discarded", resolvedBy: actor.id });
  },
  listActivePageJobs: (jobs) => {
    expect(jobs).toEqual([]);
  },
  // Undo writes back the text from before the AI as a new human revision.
  undoPageJob: (page, w) => {
    expect(page).toMatchObject({ id: w.pageId, content: "Text to revise.", version: 3 });
  },
  // The dry run (REST validate, Preview prompt) creates nothing and answers what the prompt would hold.
  checkPageTextRequest: (check, w) => {
    expect(check).toMatchObject({ ok: true, pageId: w.pageId, mode: "revise" });
  },
};

async function suggestionRow(id: string) {
  const { getDb } = await import("@/db");
  const [row] = await (await getDb()).select().from(pageSuggestions).where(eq(pageSuggestions.id, id));
  return row;
}

beforeAll(async () => {
  owner = await makeActor();
  other = await makeActor();
  admin = await makeActor("admin");
  editor = await makeActor();
  reader = await makeActor();
});

describe("generation domain functions", () => {
  it("every exported function is in the matrix or documented as internal", () => {
    const exported = Object.entries(domain)
      .filter(([, v]) => typeof v === "function")
      .map(([k]) => k)
      .sort();
    expect(exported).toEqual([...Object.keys(inputs), ...Object.keys(internal)].sort());
    expect(Object.keys(passes).sort()).toEqual(Object.keys(inputs).sort());
  });

  const fn = (name: string) =>
    (domain as unknown as Record<string, (a: Actor | null, i: unknown) => Promise<unknown>>)[name]!;

  it.each(Object.keys(inputs))("%s: anonymous → UNAUTHENTICATED, another author → NOT_FOUND", async (name) => {
    const w = await makeWorld();
    await expect(fn(name)(null, inputs[name]!(w))).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    await expect(fn(name)(other, inputs[name]!(w))).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it.each(Object.keys(inputs))(
    "%s: another author's id reads exactly like a missing id (same message)",
    async (name) => {
      const w = await makeWorld();
      const nothing: World = {
        storyId: crypto.randomUUID(),
        pageId: crypto.randomUUID(),
        blankPageId: crypto.randomUUID(),
        jobId: crypto.randomUUID(),
        suggestionId: crypto.randomUUID(),
      };
      const theirs = await fn(name)(other, inputs[name]!(w)).catch((error: unknown) => error);
      const missing = await fn(name)(owner, inputs[name]!(nothing)).catch((error: unknown) => error);
      expect(theirs).toMatchObject({ code: "NOT_FOUND" });
      expect((theirs as Error).message).toBe((missing as Error).message);
    },
  );

  it.each(Object.keys(inputs))("%s: the owner and an admin are let through", async (name) => {
    for (const actor of [owner, admin]) {
      const w = await makeWorld();
      await passes[name]!(await fn(name)(actor, inputs[name]!(w)), w, actor);
    }
  });

  /** What a reader may call: looking, never starting, cancelling or landing AI work. */
  const readerMay = new Set(["getPageJob", "getLatestPageJob", "listOpenSuggestions", "listActivePageJobs"]);

  it.each(Object.keys(inputs))("%s: the story's editor is let through", async (name) => {
    const w = await makeWorld();
    await passes[name]!(await fn(name)(editor, inputs[name]!(w)), w, editor);
  });

  it.each(Object.keys(inputs))(
    "%s: the story's reader reads, and is refused (FORBIDDEN) anything else",
    async (name) => {
      const w = await makeWorld();
      if (readerMay.has(name)) {
        await passes[name]!(await fn(name)(reader, inputs[name]!(w)), w, reader);
        return;
      }
      const error = await fn(name)(reader, inputs[name]!(w)).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "FORBIDDEN" });
      expect((error as Error).message).toMatch(/You can read this story but not/);
    },
  );

  it("a reader's refused attempts change nothing", async () => {
    const w = await makeWorld();
    for (const name of ["cancelPageJob", "applySuggestion", "discardSuggestion", "undoPageJob", "requestPageText"]) {
      await fn(name)(reader, inputs[name]!(w)).catch(() => {});
    }
    const { getDb } = await import("@/db");
    const db = await getDb();
    const [suggestion] = await db.select().from(pageSuggestions).where(eq(pageSuggestions.id, w.suggestionId));
    expect(suggestion!.status).toBe("open");
    expect(await db.select().from(aiJobs).where(eq(aiJobs.targetId, w.blankPageId))).toHaveLength(0);
  });

  it("another author's failed attempts change nothing", async () => {
    const w = await makeWorld();
    for (const name of ["cancelPageJob", "applySuggestion", "discardSuggestion", "undoPageJob", "requestPageText"]) {
      await fn(name)(other, inputs[name]!(w)).catch(() => {});
    }
    const { getDb } = await import("@/db");
    const db = await getDb();
    const [job] = await db.select().from(aiJobs).where(eq(aiJobs.id, w.jobId));
    expect(job!.status).toBe("succeeded");
    const [suggestion] = await db.select().from(pageSuggestions).where(eq(pageSuggestions.id, w.suggestionId));
    expect(suggestion!.status).toBe("open");
    expect(await db.select().from(aiJobs).where(eq(aiJobs.targetId, w.blankPageId))).toHaveLength(0);
  });
});

describe("generation server actions", () => {
  const actionFor = (name: string) =>
    (actions as unknown as Record<string, (i: unknown) => Promise<ActionResult<unknown>>>)[`${name}Action`]!;

  it("every action maps to a domain function in the matrix", () => {
    const names = Object.keys(actions)
      .map((k) => k.replace(/Action$/, ""))
      .sort();
    expect(names.every((n) => n in inputs)).toBe(true);
  });

  it.each(Object.keys(actions).map((k) => k.replace(/Action$/, "")))("%sAction checks who is asking", async (name) => {
    const w = await makeWorld();
    mocks.currentActor.mockResolvedValue(null);
    expect(await actionFor(name)(inputs[name]!(w))).toMatchObject({ ok: false, error: { code: "UNAUTHENTICATED" } });
    mocks.currentActor.mockResolvedValue(other);
    expect(await actionFor(name)(inputs[name]!(w))).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    mocks.currentActor.mockResolvedValue(owner);
    const result = await actionFor(name)(inputs[name]!(w));
    expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
    if (result.ok) await passes[name]!(result.data, w, owner);
  });
});

describe("job routes", () => {
  const call = async (
    route: { GET: (r: Request, c: { params: Promise<{ jobId: string }> }) => Promise<Response> },
    jobId: string,
  ) => {
    const controller = new AbortController();
    const response = await route.GET(new Request(`http://localhost/api/jobs/${jobId}`, { signal: controller.signal }), {
      params: Promise.resolve({ jobId }),
    });
    controller.abort();
    return response;
  };

  // The job's event stream is the story's now: tests/live/story-events.test.ts.
  it.each([["GET /api/jobs/[jobId]", jobRoute]] as const)(
    "%s: 401 anonymous, 404 another author or bad id, 200 owner and admin",
    async (_name, route) => {
      const w = await makeWorld();
      mocks.currentActor.mockResolvedValue(null);
      const anonymous = await call(route, w.jobId);
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toMatchObject({ code: "UNAUTHENTICATED" });
      mocks.currentActor.mockResolvedValue(other);
      expect((await call(route, w.jobId)).status).toBe(404);
      expect((await call(route, "not-a-uuid")).status).toBe(400);
      for (const actor of [owner, admin]) {
        mocks.currentActor.mockResolvedValue(actor);
        const ok = await call(route, w.jobId);
        expect(ok.status).toBe(200);
      }
    },
  );
});
