import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setDbHandle } from "@/db";
import { aiJobs } from "@/db/ai-schema";
import { requestPageTextOutcome } from "@/lib/stories";
import { toPageJobView } from "@/lib/stories/page-jobs/view";
import { statementCountingDb } from "../helpers/counting-db";
import { useTestDb } from "../helpers/db";
import { makeActor, makeStory } from "../helpers/fixtures";

vi.mock("@/lib/ai/jobs/queue", async (original) => ({
  ...(await original<typeof import("@/lib/ai/jobs/queue")>()),
  enqueueJob: vi.fn(async () => {}),
}));

const t = useTestDb();
afterEach(() => setDbHandle(t.handle()));

// A live view rebuilds this as the text lands: one round trip, and one snapshot (tests/generation/
// settled-view-snapshot.test.ts has the race that reading them apart lost).
describe("a settled page job's view", () => {
  it("reads the page, its suggestion and its revision in one statement", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["The gulls.", ""]);
    const { job } = await requestPageTextOutcome(author, { pageId: pages[1]!.id });
    const [row] = await t
      .db()
      .update(aiJobs)
      .set({ status: "succeeded", outputText: "The boats.", completedAt: new Date() })
      .where(eq(aiJobs.id, job.id))
      .returning();

    const counting = statementCountingDb(t.handle());
    setDbHandle({ ...t.handle(), db: counting.db });
    const view = await toPageJobView(row!);

    expect(counting.statements).toHaveLength(1);
    for (const table of ["pages", "page_suggestions", "page_revisions"])
      expect(counting.statements[0]).toContain(`"${table}"`);
    expect(view).toMatchObject({ id: job.id, status: "succeeded", resolution: null, suggestionId: null });
    expect(view.page).toMatchObject({ content: "", version: 1 });
  });
});
