import { eq } from "drizzle-orm";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import type { Sql } from "postgres";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setDbHandle, type Db } from "@/db";
import { aiJobs } from "@/db/ai-schema";
import * as schema from "@/db/schema";
import { requestPageTextOutcome } from "@/lib/stories";
import { toPageJobView } from "@/lib/stories/page-jobs/view";
import { useTestDb } from "../helpers/db";
import { makeActor, makeStory } from "../helpers/fixtures";

vi.mock("@/lib/ai/jobs/queue", async (original) => ({
  ...(await original<typeof import("@/lib/ai/jobs/queue")>()),
  enqueueJob: vi.fn(async () => {}),
}));

const t = useTestDb();
afterEach(() => setDbHandle(t.handle()));

// Holding a lock from a second connection needs PostgreSQL (PGlite has one connection).
describe.skipIf(!process.env.DATABASE_URL)("a settled page job's view on PostgreSQL", () => {
  it("sends its three reads (the page, its suggestion, its revision) together, not one after another", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["The gulls.", ""]);
    const { job } = await requestPageTextOutcome(author, { pageId: pages[1]!.id });
    const [row] = await t
      .db()
      .update(aiJobs)
      .set({ status: "succeeded", outputText: "The boats.", completedAt: new Date() })
      .where(eq(aiJobs.id, job.id))
      .returning();

    const statements: string[] = [];
    const pool = (t.db() as unknown as { $client: Sql }).$client;
    const logger = { logQuery: (query: string) => void statements.push(query) };
    setDbHandle({ ...t.handle(), db: drizzlePostgres(pool, { schema, logger }) as unknown as Db });
    const holder = await pool.reserve();
    let building: ReturnType<typeof toPageJobView> | undefined;
    try {
      await holder`begin`;
      await holder`set local lock_timeout = '2s'`;
      await holder`lock table pages, page_suggestions, page_revisions in access exclusive mode`;
      building = toPageJobView(row!);
      building.catch(() => {});
      // No read can answer while its table is locked: all three were sent at once, none waits for another.
      await vi.waitFor(
        () => {
          expect(statements.filter((s) => s.includes(`from "pages"`))).toHaveLength(1);
          expect(statements.filter((s) => s.includes(`from "page_suggestions"`))).toHaveLength(1);
          expect(statements.filter((s) => s.includes(`from "page_revisions"`))).toHaveLength(1);
        },
        { timeout: 3000 },
      );
    } finally {
      await holder`rollback`.catch(() => {});
      holder.release();
    }
    const view = await building!;
    expect(view).toMatchObject({ id: job.id, status: "succeeded", resolution: null, suggestionId: null });
    expect(view.page).toMatchObject({ content: "", version: 1 });
  });
});
