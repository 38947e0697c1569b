import { asc, eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { pageSummaries } from "@/db/memory-schema";
import type { Actor } from "@/lib/stories";
import { useTestDb } from "../helpers/db";
import { expectAppError, makeActor, makeStory, randomId } from "../helpers/fixtures";

/**
 * Every page-summary function of the domain × {anonymous, another author, the owner, an admin}: another author's
 * page or story answers NOT_FOUND exactly like a missing one, and nothing changes. Keyed by the summaries' exports
 * of lib/stories, so a new export without a row fails the first test.
 */
vi.mock("@/lib/ai/jobs/queue", async (original) => ({
  ...(await original<typeof import("@/lib/ai/jobs/queue")>()),
  enqueueJob: vi.fn(async () => {}),
  requestJobCancel: vi.fn(async () => {}),
}));

const domain = await import("@/lib/stories");
const { db } = useTestDb();

interface World {
  storyId: string;
  pageId: string;
}

async function makeWorld(owner: Actor): Promise<World> {
  const { story, pages } = await makeStory(owner, ["Mara climbed the stairs.", "Tobias lit the lamp."]);
  await domain.pinPageSummary(owner, { pageId: pages[0]!.id, text: "The owner's summary." });
  return { storyId: story.id, pageId: pages[0]!.id };
}

type Case = {
  input(w: World): unknown;
  missing(w: World): unknown;
  allowed(result: unknown, w: World, actor: Actor): Promise<void>;
};

const matrix = {
  getPageSummary: {
    input: (w) => ({ pageId: w.pageId }),
    missing: () => ({ pageId: randomId() }),
    async allowed(result, w) {
      expect(result).toMatchObject({ pageId: w.pageId, text: "The owner's summary.", pinned: true });
    },
  },
  listPageSummaries: {
    input: (w) => ({ storyId: w.storyId }),
    missing: () => ({ storyId: randomId() }),
    async allowed(result, w) {
      const list = result as { pageId: string; text: string | null }[];
      expect(list).toHaveLength(2);
      expect(list[0]).toMatchObject({ pageId: w.pageId, text: "The owner's summary." });
    },
  },
  pinPageSummary: {
    input: (w) => ({ pageId: w.pageId, text: "Rewritten." }),
    missing: () => ({ pageId: randomId(), text: "Rewritten." }),
    async allowed(_result, w, actor) {
      const [row] = await db().select().from(pageSummaries).where(eq(pageSummaries.pageId, w.pageId));
      expect(row).toMatchObject({ text: "Rewritten.", pinned: true, authorId: actor.id });
    },
  },
  unpinPageSummary: {
    input: (w) => ({ pageId: w.pageId }),
    missing: () => ({ pageId: randomId() }),
    async allowed(_result, w) {
      const [row] = await db().select().from(pageSummaries).where(eq(pageSummaries.pageId, w.pageId));
      expect(row).toMatchObject({ pinned: false });
    },
  },
  requestSummarizeAll: {
    input: (w) => ({ storyId: w.storyId }),
    missing: () => ({ storyId: randomId() }),
    async allowed(result, w, actor) {
      expect(result).toMatchObject({ created: true, job: { storyId: w.storyId, total: 1 } });
      const jobs = await db().select().from(aiJobs).where(eq(aiJobs.targetId, w.storyId));
      expect(jobs).toMatchObject([{ jobType: "story.summarize_pages", requestedBy: actor.id }]);
    },
  },
  getSummarizeAll: {
    input: (w) => ({ storyId: w.storyId }),
    missing: () => ({ storyId: randomId() }),
    async allowed(result) {
      expect(result).toBeNull();
    },
  },
} satisfies Record<string, Case>;

const call = (name: keyof typeof matrix, actor: Actor | null, input: unknown) =>
  (domain[name] as (actor: Actor | null, input: unknown) => Promise<unknown>)(actor, input);

async function memory(storyId: string) {
  return {
    summaries: await db().select().from(pageSummaries).where(eq(pageSummaries.storyId, storyId)),
    jobs: await db().select().from(aiJobs).where(eq(aiJobs.scopeId, storyId)).orderBy(asc(aiJobs.id)),
  };
}

describe("page summaries: who may do what", () => {
  it("has a row for every summary function the domain exports", () => {
    const exported = Object.entries(domain)
      .filter(([name, value]) => /Summar(y|ies|ize)/.test(name) && typeof value === "function")
      .map(([name]) => name);
    expect(exported.sort()).toEqual(Object.keys(matrix).sort());
  });

  for (const name of Object.keys(matrix) as (keyof typeof matrix)[]) {
    const row: Case = matrix[name];
    it(`${name}: anonymous 401, another author and a missing id 404 with nothing changed, owner and admin allowed`, async () => {
      const owner = await makeActor();
      const other = await makeActor();
      const admin = await makeActor("admin");
      const w = await makeWorld(owner);
      const before = await memory(w.storyId);

      await expectAppError(call(name, null, row.input(w)), "UNAUTHENTICATED");
      const foreign = await expectAppError(call(name, other, row.input(w)), "NOT_FOUND");
      const missing = await expectAppError(call(name, owner, row.missing(w)), "NOT_FOUND");
      expect(foreign.message).toBe(missing.message);
      expect(await memory(w.storyId)).toEqual(before);

      await row.allowed(await call(name, owner, row.input(w)), w, owner);
      const second = await makeWorld(owner);
      await row.allowed(await call(name, admin, row.input(second)), second, admin);
    });
  }
});
