import { eq } from "drizzle-orm";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { JobsTable } from "@/components/admin/jobs-table";
import { markDiscarded } from "@/lib/ai/jobs/ledger";
import { listAdminJobs } from "@/lib/stories";
import { useTestDb } from "../helpers/db";
import { makeActor, makeStory, randomId } from "../helpers/fixtures";

// Takes not chosen stay in the ledger as discarded (issue 15): the admin's job history shows them so.

const t = useTestDb();

async function insertTake(scopeId: string, requestedBy: string) {
  const id = randomId();
  await t.db().insert(aiJobs).values({
    id,
    jobType: "page_text.take",
    status: "succeeded",
    targetType: "page_take",
    targetId: id,
    scopeType: "story",
    scopeId,
    requestedBy,
    templateKey: "page_write",
    templateVersion: 1,
    provider: "offline",
    model: "offline",
    promptPayload: {},
    outputText: "A take.",
    completedAt: new Date(),
  });
  return id;
}

describe("the admin job history marks discarded takes", () => {
  it("lists discarded_at with each row and shows a discarded badge only on discarded jobs", async () => {
    const author = await makeActor();
    const { story } = await makeStory(author, ["Mara walked."]);
    const kept = await insertTake(story.id, author.id);
    const discarded = await insertTake(story.id, author.id);
    expect(await markDiscarded(t.db(), [discarded])).toEqual([discarded]);

    const admin = await makeActor("admin");
    const list = await listAdminJobs(admin, { scopeId: story.id });
    const byId = new Map(list.rows.map((r) => [r.id, r]));
    const [row] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, discarded));
    expect(byId.get(discarded)!.discardedAt).toEqual(row!.discardedAt);
    expect(byId.get(kept)!.discardedAt).toBeNull();

    const html = renderToStaticMarkup(createElement(JobsTable, { rows: list.rows, filterHref: () => "/admin/jobs" }));
    const rows = html.split('data-testid="job-row"').slice(1);
    const rowOf = (id: string) => rows.find((r) => r.includes(`data-job-id="${id}"`))!;
    expect(rowOf(discarded)).toContain('data-testid="job-discarded"');
    expect(rowOf(discarded)).toContain(">discarded</span>");
    expect(rowOf(kept)).not.toContain('data-testid="job-discarded"');
  });
});
