import { eq } from "drizzle-orm";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import type { Sql } from "postgres";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { setDbHandle, type Db } from "@/db";
import { aiJobs } from "@/db/ai-schema";
import * as schema from "@/db/schema";
import { pages } from "@/db/schema";
import { countTokens } from "@/lib/ai";
import { requestPageTextOutcome } from "@/lib/stories";
import { livePageTexts, loadPagePromptInput } from "@/lib/stories/page-job-input";
import { useTestDb } from "../helpers/db";
import { makeActor, makeStory } from "../helpers/fixtures";

/**
 * Generate's admission does a fixed number of round trips, whatever the story: statements are counted through
 * drizzle's logger on the test database's own client (enqueueJob, the engine's part, is left out).
 */
vi.mock("@/lib/ai/jobs/queue", async (original) => ({
  ...(await original<typeof import("@/lib/ai/jobs/queue")>()),
  enqueueJob: vi.fn(async () => {}),
}));

const t = useTestDb();
let statements: string[] = [];
let counted: Db;

beforeAll(() => {
  const handle = t.handle();
  const logger = { logQuery: (query: string) => void statements.push(query) };
  const client = (handle.db as unknown as { $client: never }).$client;
  counted = (handle.mode === "pglite"
    ? drizzlePglite(client, { schema, logger })
    : drizzlePostgres(client, { schema, logger })) as unknown as Db;
});

afterEach(() => setDbHandle(t.handle()));

/** Runs `fn` with the app reading the counting database, and returns the statements it sent. */
async function count(fn: () => Promise<unknown>): Promise<string[]> {
  setDbHandle({ ...t.handle(), db: counted });
  statements = [];
  try {
    await fn();
  } finally {
    setDbHandle(t.handle());
  }
  return statements.filter((s) => !/^\s*(begin|commit|rollback|savepoint|release)/i.test(s));
}

describe("Generate's admission round trips", () => {
  it("joins a running job with one statement: page, story and active job are read together", async () => {
    const author = await makeActor();
    const { pages: added } = await makeStory(author, ["", "", ""]);
    const first = await requestPageTextOutcome(author, { pageId: added[1]!.id });
    expect(first.created).toBe(true);
    let second: Awaited<ReturnType<typeof requestPageTextOutcome>> | undefined;
    const sent = await count(async () => {
      second = await requestPageTextOutcome(author, { pageId: added[1]!.id });
    });
    expect(second).toMatchObject({ created: false, job: { id: first.job.id } });
    expect(sent).toHaveLength(1);
  });

  it("creates a job without looking for an active one twice, and the count does not grow with the story", async () => {
    const author = await makeActor();
    const small = await makeStory(author, ["", ""]);
    const large = await makeStory(
      author,
      Array.from({ length: 30 }, (_v, i) => (i === 29 ? "" : `Page ${i + 1}: the keeper climbed the stairs.`)),
    );
    const onSmall = await count(() => requestPageTextOutcome(author, { pageId: small.pages[1]!.id }));
    const onLarge = await count(() => requestPageTextOutcome(author, { pageId: large.pages[29]!.id }));
    const activeLooks = (sent: string[]) => sent.filter((s) => /"ai_jobs"/i.test(s) && /"status" in/i.test(s));
    // One look with the page, one under the requester's lock; not a third before taking the lock.
    expect(activeLooks(onSmall)).toHaveLength(2);
    expect(onLarge).toHaveLength(onSmall.length);
    const jobs = await t.db().select().from(aiJobs).where(eq(aiJobs.requestedBy, author.id));
    expect(jobs).toHaveLength(2);
  });

  it("counts a story's uncounted pages in one statement, however many there are", async () => {
    const author = await makeActor();
    const texts = Array.from({ length: 12 }, (_v, i) => `Page ${i + 1}: gulls over the harbour.`);
    const { story, pages: added } = await makeStory(author, texts);
    await t.db().update(pages).set({ tokenCount: null }).where(eq(pages.storyId, story.id));
    let live: Awaited<ReturnType<typeof livePageTexts>> = [];
    const sent = await count(async () => {
      live = await livePageTexts(counted, story.id);
    });
    expect(sent).toHaveLength(2);
    expect(live.map((p) => p.tokenCount)).toEqual(texts.map((text) => countTokens(text)));
    const stored = await t.db().select().from(pages).where(eq(pages.storyId, story.id));
    for (const row of stored) {
      expect(row.tokenCount).toBe(countTokens(texts[added.findIndex((p) => p.id === row.id)]!));
    }
  });
});

// Holding a lock on the pages from a second connection needs PostgreSQL (PGlite has one connection).
describe.skipIf(!process.env.DATABASE_URL)("Generate's admission reads on PostgreSQL", () => {
  it("sends its four reads (the pages and the memory: summaries, codex, roll-ups) together, not one after another", async () => {
    const author = await makeActor();
    const { story } = await makeStory(author, ["The gulls.", "The harbour.", ""]);
    const pool = (t.db() as unknown as { $client: Sql }).$client;
    const holder = await pool.reserve();
    let loading: ReturnType<typeof loadPagePromptInput> | undefined;
    try {
      await holder`begin`;
      await holder`set local lock_timeout = '2s'`;
      await holder`lock table pages, page_summaries, codex_entries, story_rollups in access exclusive mode`;
      statements = [];
      loading = loadPagePromptInput(counted, story.id);
      loading.catch(() => {});
      // No read can answer while its table is locked: all four were sent at once, none waits for another.
      await vi.waitFor(
        () => {
          for (const table of ["pages", "page_summaries", "codex_entries", "story_rollups"])
            expect(statements.some((s) => s.includes(`from "${table}"`))).toBe(true);
        },
        { timeout: 3000 },
      );
    } finally {
      await holder`rollback`.catch(() => {});
      holder.release();
    }
    const { ordered } = await loading!;
    expect(ordered.map((p) => p.content)).toEqual(["The gulls.", "The harbour.", ""]);
  });
});
