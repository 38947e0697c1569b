import { eq, inArray, sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { preparedPerDb } from "@/db/prepared-queries";
import { getJob, listLiveScopeJobs } from "@/lib/ai";
import { findActiveJob, savePartial } from "@/lib/ai/jobs/ledger";
import { STORY_SCOPE } from "@/lib/stories/job-kinds";
import { useTestDb } from "../helpers/db";
import { makeActor, makeAiJob, makeStory } from "../helpers/fixtures";

const { db } = useTestDb();

afterEach(() => {
  vi.restoreAllMocks();
});

describe("queries built once per database (db/prepared-queries.ts)", () => {
  it("builds a query once per handle and gives a transaction its own, which runs inside it", async () => {
    const build = vi.fn((handle: ReturnType<typeof db>) =>
      handle
        .select({ id: aiJobs.id, outputText: aiJobs.outputText })
        .from(aiJobs)
        .where(eq(aiJobs.id, sql.placeholder("id")))
        .prepare("test_job_status"),
    );
    const jobStatus = preparedPerDb(build);
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mara climbed the stairs."]);
    const jobId = await makeAiJob(pages[0]!.id, author.id);

    expect(await jobStatus(db()).execute({ id: jobId })).toEqual([{ id: jobId, outputText: "machine text" }]);
    expect(await jobStatus(db()).execute({ id: jobId })).toEqual([{ id: jobId, outputText: "machine text" }]);
    expect(build).toHaveBeenCalledTimes(1);

    await expect(
      db().transaction(async (tx) => {
        await tx.update(aiJobs).set({ outputText: "rolled back" }).where(eq(aiJobs.id, jobId));
        // The transaction's own query sees its uncommitted write: it runs on the transaction's connection.
        expect(await jobStatus(tx).execute({ id: jobId })).toEqual([{ id: jobId, outputText: "rolled back" }]);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(build).toHaveBeenCalledTimes(2);
    expect(await jobStatus(db()).execute({ id: jobId })).toEqual([{ id: jobId, outputText: "machine text" }]);
  });

  it("reads a job by id without building its SQL again", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mara climbed the stairs."]);
    const jobId = await makeAiJob(pages[0]!.id, author.id);
    await getJob(db(), jobId);
    const built = vi.spyOn(PgDialect.prototype, "sqlToQuery");
    expect((await getJob(db(), jobId))?.id).toBe(jobId);
    expect(await getJob(db(), crypto.randomUUID())).toBeUndefined();
    expect(built).not.toHaveBeenCalled();
  });

  it("keeps the live read's window: active jobs, and settled ones changed in the last two minutes", async () => {
    const author = await makeActor();
    const { story, pages } = await makeStory(author, ["One.", "Two.", "Three."]);
    const [recent, old, running] = [
      await makeAiJob(pages[0]!.id, author.id),
      await makeAiJob(pages[1]!.id, author.id),
      await makeAiJob(pages[2]!.id, author.id),
    ];
    const now = new Date();
    const ago = (ms: number) => new Date(now.getTime() - ms);
    await db()
      .update(aiJobs)
      .set({ scopeType: STORY_SCOPE, scopeId: story.id })
      .where(inArray(aiJobs.id, [recent, old, running]));
    await db()
      .update(aiJobs)
      .set({ updatedAt: ago(60_000) })
      .where(eq(aiJobs.id, recent));
    await db()
      .update(aiJobs)
      .set({ updatedAt: ago(180_000) })
      .where(eq(aiJobs.id, old));
    await db()
      .update(aiJobs)
      .set({ status: "running", updatedAt: ago(3_600_000) })
      .where(eq(aiJobs.id, running));
    await listLiveScopeJobs(db(), STORY_SCOPE, story.id, now);
    const built = vi.spyOn(PgDialect.prototype, "sqlToQuery");
    const live = await listLiveScopeJobs(db(), STORY_SCOPE, story.id, now);
    expect(live.map((job) => job.id).sort()).toEqual([recent, running].sort());
    expect(await listLiveScopeJobs(db(), STORY_SCOPE, crypto.randomUUID(), now)).toEqual([]);
    expect(built).not.toHaveBeenCalled();
  });

  it("saves a running job's partial text, keeps its first token's time once set, and tells a job no longer running", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mara climbed the stairs."]);
    const jobId = await makeAiJob(pages[0]!.id, author.id);
    await db().update(aiJobs).set({ status: "running", firstTokenAt: null }).where(eq(aiJobs.id, jobId));
    const first = new Date("2026-12-05T10:00:00.123Z");
    const row = async () => (await getJob(db(), jobId))!;

    expect(await savePartial(db(), jobId, "Once", first)).toBe(true);
    expect(await row()).toMatchObject({ partialText: "Once", firstTokenAt: first });
    expect(await savePartial(db(), jobId, "Once upon", new Date("2026-12-05T10:00:05Z"))).toBe(true);
    expect(await savePartial(db(), jobId, "Once upon a time", null)).toBe(true);
    const saved = await row();
    expect(saved).toMatchObject({ partialText: "Once upon a time", firstTokenAt: first });
    expect(Date.now() - saved.updatedAt.getTime()).toBeLessThan(60_000);

    expect(await findActiveJob(db(), "page", pages[0]!.id)).toMatchObject({ id: jobId, status: "running" });
    await db().update(aiJobs).set({ status: "succeeded" }).where(eq(aiJobs.id, jobId));
    expect(await savePartial(db(), jobId, "late", first)).toBe(false);
    expect((await row()).partialText).toBe("Once upon a time");
    expect(await findActiveJob(db(), "page", pages[0]!.id)).toBeUndefined();
  });
});
