import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { pageSuggestions } from "@/db/suggestions-schema";
import type { ActionResult } from "@/lib/action-result";
import type { Actor } from "@/lib/stories";
import { useTestDb } from "../helpers/db";
import { makeActor, makeStory } from "../helpers/fixtures";

/**
 * Every background-revision function and server action × {anonymous, another author, the owner, an admin}. Keyed by
 * the modules' exports, so a new export without a row fails the first test.
 */
const mocks = vi.hoisted(() => ({
  currentActor: vi.fn<() => Promise<{ id: string; role: "author" | "admin" } | null>>(),
}));
vi.mock("@/lib/auth", () => ({ currentActor: mocks.currentActor }));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
// No engine here: the revision stays pending, which is all these checks need.
vi.mock("@/lib/ai/jobs/queue", () => ({ enqueueJob: vi.fn(async () => {}), requestJobCancel: vi.fn(async () => {}) }));

// The background-revision modules and Apply all / Discard all, which used to be one file (background.ts).
const domain = {
  ...(await import("@/lib/stories/background/request")),
  ...(await import("@/lib/stories/background/plan")),
  ...(await import("@/lib/stories/background/view")),
  ...(await import("@/lib/stories/background/cancel")),
  ...(await import("@/lib/stories/suggestions/review-all")),
};
const actions = await import("@/app/actions/background");
useTestDb();

interface World {
  storyId: string;
  pageIds: string[];
  jobId: string;
  suggestionId: string;
}

/** A story of the owner with a finished background revision that left one open suggestion. */
async function makeWorld(owner: Actor): Promise<World> {
  const { story, pages } = await makeStory(owner, ["First.", "Second."]);
  const { getDb } = await import("@/db");
  const db = await getDb();
  const base = {
    targetType: "page",
    requestedBy: owner.id,
    templateKey: "page_revise",
    templateVersion: 1,
    provider: "offline",
    model: "offline",
    promptPayload: {},
    scopeType: "story",
    scopeId: story.id,
  };
  const [parent] = await db
    .insert(aiJobs)
    .values({
      ...base,
      jobType: "story.revise_pages",
      targetType: "story",
      targetId: story.id,
      status: "succeeded",
      promptPayload: { pageIds: [pages[0]!.id] },
    })
    .returning();
  const [child] = await db
    .insert(aiJobs)
    .values({
      ...base,
      jobType: "page_text.revise",
      targetId: pages[0]!.id,
      parentJobId: parent!.id,
      status: "succeeded",
      outputText: "Better.",
      baseVersion: 1,
    })
    .returning();
  const [suggestion] = await db
    .insert(pageSuggestions)
    .values({ pageId: pages[0]!.id, jobId: child!.id, content: "Better.", baseVersion: 1 })
    .returning();
  return { storyId: story.id, pageIds: pages.map((p) => p.id), jobId: parent!.id, suggestionId: suggestion!.id };
}

const inputs: Record<string, (w: World) => unknown> = {
  requestBackgroundRevision: (w) => ({ storyId: w.storyId, pageIds: w.pageIds, instruction: "shorter" }),
  getBackgroundRevision: (w) => ({ storyId: w.storyId, jobId: w.jobId }),
  cancelBackgroundRevision: (w) => ({ jobId: w.jobId }),
  applyAllSuggestions: (w) => ({ jobId: w.jobId }),
  discardAllSuggestions: (w) => ({ jobId: w.jobId }),
};
/** What each function does when let through: its answer, and for writes the rows it changed. */
const passes: Record<string, (result: unknown, w: World) => Promise<void> | void> = {
  // The world's revision has finished, so this starts a new one over both pages.
  requestBackgroundRevision: (outcome, w) => {
    expect(outcome).toMatchObject({
      created: true,
      revision: { storyId: w.storyId, status: "pending", instruction: "shorter", total: 2 },
    });
  },
  getBackgroundRevision: (view, w) => {
    expect(view).toMatchObject({ id: w.jobId, storyId: w.storyId, status: "succeeded", openSuggestions: 1 });
  },
  // A finished revision cannot be cancelled any more: the answer is the revision as it stands.
  cancelBackgroundRevision: (view, w) => {
    expect(view).toMatchObject({ id: w.jobId, status: "succeeded" });
  },
  applyAllSuggestions: async (outcome, w) => {
    expect(outcome).toMatchObject({
      applied: [{ pageId: w.pageIds[0], pageNumber: 1 }],
      stale: [],
      revision: { id: w.jobId, openSuggestions: 0 },
    });
    expect(await suggestionStatus(w.suggestionId)).toBe("applied");
  },
  discardAllSuggestions: async (outcome, w) => {
    expect(outcome).toMatchObject({ discarded: 1, revision: { id: w.jobId, openSuggestions: 0 } });
    expect(await suggestionStatus(w.suggestionId)).toBe("discarded");
  },
};

async function suggestionStatus(id: string) {
  const { getDb } = await import("@/db");
  const [row] = await (await getDb()).select().from(pageSuggestions).where(eq(pageSuggestions.id, id));
  return row?.status;
}

/** Exports that are not requests from a person (no actor): run by the engine. */
const internal = [
  "planBackgroundRevision",
  // Called by the functions above after their own checks.
  "toBackgroundRevisionView",
  "loadRevisionFor",
];

const fn = (name: string) =>
  (domain as unknown as Record<string, (a: Actor | null, i: unknown) => Promise<unknown>>)[name]!;

describe("background revision domain functions", () => {
  it("every exported function is in the matrix or documented as internal", () => {
    const exported = Object.entries(domain)
      .filter(([, v]) => typeof v === "function")
      .map(([k]) => k)
      .sort();
    expect(exported).toEqual([...Object.keys(inputs), ...internal].sort());
    expect(Object.keys(passes).sort()).toEqual(Object.keys(inputs).sort());
  });

  it.each(Object.keys(inputs))(
    "%s: anonymous → UNAUTHENTICATED, another author → NOT_FOUND, owner and admin pass",
    async (name) => {
      const owner = await makeActor();
      const other = await makeActor();
      const admin = await makeActor("admin");
      const w = await makeWorld(owner);
      await expect(fn(name)(null, inputs[name]!(w))).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
      await expect(fn(name)(other, inputs[name]!(w))).rejects.toMatchObject({ code: "NOT_FOUND" });
      // Another author's failed attempt changed nothing.
      const { getDb } = await import("@/db");
      const db = await getDb();
      expect((await db.select().from(pageSuggestions).where(eq(pageSuggestions.id, w.suggestionId)))[0]!.status).toBe(
        "open",
      );
      expect(await db.select().from(aiJobs).where(eq(aiJobs.requestedBy, other.id))).toHaveLength(0);
      await passes[name]!(await fn(name)(owner, inputs[name]!(w)), w);
      const adminWorld = await makeWorld(owner);
      await passes[name]!(await fn(name)(admin, inputs[name]!(adminWorld)), adminWorld);
    },
  );
});

describe("background revision server actions", () => {
  const actionFor = (name: string) =>
    (actions as unknown as Record<string, (i: unknown) => Promise<ActionResult<unknown>>>)[`${name}Action`]!;

  it("every action maps to a domain function in the matrix", () => {
    const names = Object.keys(actions)
      .map((k) => k.replace(/Action$/, ""))
      .sort();
    expect(names).toEqual(Object.keys(inputs).sort());
  });

  it.each(Object.keys(inputs))("%sAction checks who is asking", async (name) => {
    const owner = await makeActor();
    const other = await makeActor();
    const w = await makeWorld(owner);
    mocks.currentActor.mockResolvedValue(null);
    expect(await actionFor(name)(inputs[name]!(w))).toMatchObject({ ok: false, error: { code: "UNAUTHENTICATED" } });
    mocks.currentActor.mockResolvedValue(other);
    expect(await actionFor(name)(inputs[name]!(w))).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    mocks.currentActor.mockResolvedValue(owner);
    const result = await actionFor(name)(inputs[name]!(w));
    expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
    if (result.ok) await passes[name]!(result.data, w);
  });
});
