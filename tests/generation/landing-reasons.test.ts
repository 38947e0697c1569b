import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { aiJobs } from "@/db/ai-schema";
import { pageSuggestions } from "@/db/suggestions-schema";
import { getPageJob, listOpenSuggestions } from "@/lib/stories";
import { applyPageJobResult } from "@/lib/stories/page-jobs/land";
import { useTestDb } from "../helpers/db";
import { makeActor, makeAiJob, makeStory, pageRow, revisionsOf } from "../helpers/fixtures";

useTestDb();

/** A succeeded page job of `requestedBy` that answered `outputText`, started from version 1. */
async function succeededJob(
  pageId: string,
  requestedBy: string,
  outputText: string,
  changes: Partial<typeof aiJobs.$inferInsert> = {},
) {
  const jobId = await makeAiJob(pageId, requestedBy);
  await (await getDb())
    .update(aiJobs)
    .set({ outputText, ...changes })
    .where(eq(aiJobs.id, jobId));
  return jobId;
}

async function suggestionOf(jobId: string) {
  const [row] = await (await getDb()).select().from(pageSuggestions).where(eq(pageSuggestions.jobId, jobId));
  return row;
}

describe("where a finished job's text goes, and why", () => {
  it("an answer identical to the page changes nothing and leaves no suggestion to review", async () => {
    const author = await makeActor();
    const { story, pages } = await makeStory(author, ["The harbour was quiet."]);
    const jobId = await succeededJob(pages[0]!.id, author.id, "The harbour was quiet.");

    expect(await applyPageJobResult(jobId)).toBe("unchanged");
    expect(await pageRow(pages[0]!.id)).toMatchObject({ content: "The harbour was quiet.", version: 1 });
    expect(await revisionsOf(pages[0]!.id)).toHaveLength(1);
    expect(await listOpenSuggestions(author, { storyId: story.id })).toEqual([]);
    // The ledger keeps what happened; a repeated landing says the same.
    expect(await suggestionOf(jobId)).toMatchObject({ reason: "unchanged", status: "discarded" });
    expect(await applyPageJobResult(jobId)).toBe("unchanged");
    expect(await getPageJob(author, { jobId })).toMatchObject({ resolution: "unchanged", suggestionId: null });
  });

  it("a page edited during the job: the suggestion says the page changed", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mine."]);
    const page = pages[0]!;
    const jobId = await succeededJob(page.id, author.id, "The machine's version.", { baseVersion: 0 });

    expect(await applyPageJobResult(jobId)).toBe("suggested");
    expect(await suggestionOf(jobId)).toMatchObject({ reason: "page_changed", status: "open" });
    expect(await getPageJob(author, { jobId })).toMatchObject({
      resolution: "suggested",
      suggestionReason: "page_changed",
    });
  });

  it("a retry by an admin who does not edit the story waits for its author, saying so (not 'the page changed')", async () => {
    const author = await makeActor();
    const admin = await makeActor("admin");
    const { pages } = await makeStory(author, ["Mine."]);
    const original = await makeAiJob(pages[0]!.id, author.id);
    const jobId = await succeededJob(pages[0]!.id, admin.id, "The admin's retry.", { retryOf: original });

    expect(await applyPageJobResult(jobId)).toBe("suggested");
    expect(await pageRow(pages[0]!.id)).toMatchObject({ content: "Mine.", version: 1 });
    expect(await suggestionOf(jobId)).toMatchObject({ reason: "review", status: "open" });
    expect(await getPageJob(author, { jobId })).toMatchObject({ suggestionReason: "review" });
  });

  it("the database refuses an open suggestion marked unchanged", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mine."]);
    const jobId = await makeAiJob(pages[0]!.id, author.id);
    await expect(
      (await getDb())
        .insert(pageSuggestions)
        .values({ pageId: pages[0]!.id, jobId, content: "Mine.", baseVersion: 1, reason: "unchanged" }),
    ).rejects.toThrow();
  });
});
