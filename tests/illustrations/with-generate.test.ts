import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "@/db";
import { aiJobs } from "@/db/ai-schema";
import { illustrationWaits } from "@/db/illustrations-schema";
import { pageSuggestions } from "@/db/suggestions-schema";
import {
  applySuggestion,
  discardSuggestion,
  illustrateAfterText,
  listPageIllustrations,
  type Actor,
} from "@/lib/stories";
import { applyPageJobResult } from "@/lib/stories/page-jobs/land";
import { useTestDb } from "../helpers/db";
import { expectAppError, makeActor, makeStory } from "../helpers/fixtures";

vi.mock("@/lib/ai/jobs/queue", () => ({ enqueueJob: vi.fn(async () => {}), requestJobCancel: vi.fn(async () => {}) }));

useTestDb();

let author: Actor;
beforeAll(async () => {
  author = await makeActor();
});

/** A Generate job on the page, running (its text not landed yet). */
async function runningTextJob(pageId: string, baseVersion = 1): Promise<string> {
  const [job] = await (await getDb())
    .insert(aiJobs)
    .values({
      jobType: "page_text.write",
      status: "running",
      targetType: "page",
      targetId: pageId,
      requestedBy: author.id,
      templateKey: "page_write",
      templateVersion: 1,
      provider: "offline",
      model: "offline",
      promptPayload: {},
      baseVersion,
    })
    .returning({ id: aiJobs.id });
  return job!.id;
}

async function finish(jobId: string, text: string) {
  await (await getDb()).update(aiJobs).set({ status: "succeeded", outputText: text }).where(eq(aiJobs.id, jobId));
}

async function illustrateJobsOf(pageId: string) {
  const rows = await (await getDb()).select().from(aiJobs).where(eq(aiJobs.targetId, pageId));
  return rows.filter((r) => r.jobType === "page.illustrate");
}

describe("With Generate: illustrate once the text lands", () => {
  it("waits while the text is being written, starts when it is written to the page", async () => {
    const { pages } = await makeStory(author, ["Mara rowed out."]);
    const pageId = pages[0]!.id;
    const textJob = await runningTextJob(pageId);
    expect(await illustrateAfterText(author, { pageId, jobId: textJob })).toEqual({ waiting: true, job: null });
    expect(await illustrateJobsOf(pageId)).toHaveLength(0);
    await finish(textJob, "Mara rowed out past the point at night.");
    expect(await applyPageJobResult(textJob)).toBe("applied");
    const [job] = await illustrateJobsOf(pageId);
    expect(job).toMatchObject({ status: "pending", requestedBy: author.id, scopeId: pages[0]!.storyId });
    expect(await (await getDb()).select().from(illustrationWaits).where(eq(illustrationWaits.pageId, pageId))).toEqual(
      [],
    );
    // Landing again (a repeated step) starts nothing more.
    await applyPageJobResult(textJob);
    expect(await illustrateJobsOf(pageId)).toHaveLength(1);
  });

  it("text that became a suggestion: waits until the suggestion is applied", async () => {
    const { pages } = await makeStory(author, ["The lamp was out."]);
    const pageId = pages[0]!.id;
    // The job started from version 0: the page is newer, so its text becomes a suggestion.
    const textJob = await runningTextJob(pageId, 0);
    await illustrateAfterText(author, { pageId, jobId: textJob });
    await finish(textJob, "The lamp was lit again.");
    expect(await applyPageJobResult(textJob)).toBe("suggested");
    expect(await illustrateJobsOf(pageId)).toHaveLength(0);
    const [suggestion] = await (await getDb()).select().from(pageSuggestions).where(eq(pageSuggestions.jobId, textJob));
    await applySuggestion(author, { suggestionId: suggestion!.id, baseVersion: 1 });
    expect(await illustrateJobsOf(pageId)).toHaveLength(1);
  });

  it("text already on the page: the illustration starts at once", async () => {
    const { pages } = await makeStory(author, ["Dawn came."]);
    const pageId = pages[0]!.id;
    const textJob = await runningTextJob(pageId);
    await finish(textJob, "Dawn came over the harbour.");
    await applyPageJobResult(textJob);
    const outcome = await illustrateAfterText(author, { pageId, jobId: textJob });
    expect(outcome).toMatchObject({ waiting: false, job: { status: "pending", pageId } });
  });

  it("a discarded suggestion ends the wait: nothing is illustrated after it, and the page no longer shows a wait", async () => {
    const { pages } = await makeStory(author, ["The lamp was out."]);
    const pageId = pages[0]!.id;
    const textJob = await runningTextJob(pageId, 0);
    await illustrateAfterText(author, { pageId, jobId: textJob });
    await finish(textJob, "The lamp was lit again.");
    expect(await applyPageJobResult(textJob)).toBe("suggested");
    expect((await listPageIllustrations(author, { pageId })).waitingForText).toBe(true);

    const [suggestion] = await (await getDb()).select().from(pageSuggestions).where(eq(pageSuggestions.jobId, textJob));
    await discardSuggestion(author, { suggestionId: suggestion!.id });
    expect(await (await getDb()).select().from(illustrationWaits).where(eq(illustrationWaits.pageId, pageId))).toEqual(
      [],
    );
    expect(await listPageIllustrations(author, { pageId })).toMatchObject({ waitingForText: false, job: null });

    // The next Generate's text lands on the page: nobody asked to illustrate it, so nothing starts.
    const next = await runningTextJob(pageId, 1);
    await finish(next, "The keeper slept.");
    expect(await applyPageJobResult(next)).toBe("applied");
    expect(await illustrateJobsOf(pageId)).toHaveLength(0);

    // Asking afterwards to illustrate the discarded text is refused rather than recorded as a wait that never ends.
    const refused = await expectAppError(illustrateAfterText(author, { pageId, jobId: textJob }), "CONFLICT");
    expect(refused.message).toMatch(/will not reach the page/);
    expect((await listPageIllustrations(author, { pageId })).waitingForText).toBe(false);
  });

  it("a Generate that fails or is cancelled ends the wait: the page stops saying it waits for the text", async () => {
    for (const status of ["failed", "cancelled"] as const) {
      const { pages } = await makeStory(author, ["The lamp was out."]);
      const pageId = pages[0]!.id;
      const textJob = await runningTextJob(pageId);
      await illustrateAfterText(author, { pageId, jobId: textJob });
      expect((await listPageIllustrations(author, { pageId })).waitingForText).toBe(true);

      await (await getDb())
        .update(aiJobs)
        .set({ status, errorCode: status === "failed" ? "GEN_TIMEOUT" : null })
        .where(eq(aiJobs.id, textJob));
      expect(await listPageIllustrations(author, { pageId })).toMatchObject({ waitingForText: false, job: null });
      expect(
        await (await getDb()).select().from(illustrationWaits).where(eq(illustrationWaits.pageId, pageId)),
      ).toEqual([]);
    }
  });
});
