import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { copyEngineTraces } from "@/lib/ai/jobs/engine-trace";
import { createEmbeddedEngine, type EngineDb } from "@/lib/inngest/embedded";
import { getAdminJobDetail } from "@/lib/stories/admin-jobs";
import { useTestDb } from "../helpers/db";
import { countRows, DAY, exists, seedRun } from "../helpers/engine-rows";
import { makeActor, makeAiJob, makeStory } from "../helpers/fixtures";

// Retention never takes what the admin job detail shows (docs/DECISIONS.md, Hardening): the app's beforePurge hook
// copies a job's runs into ai_jobs.engine_trace in the purging transaction, and the detail reads the copy once the
// engine's rows are gone — the same detail, dates and key order included.

const t = useTestDb();
const db = () => t.db() as unknown as EngineDb;

/** A job finished 40 days ago, worked on by a run, a retry run and a failure handler (whose event wraps the job's). */
async function oldJobWithRuns() {
  const owner = await makeActor();
  const { pages } = await makeStory(owner, ["Once upon a time."]);
  const jobId = await makeAiJob(pages[0]!.id, owner.id);
  const created = new Date(Date.now() - 40 * DAY - 60_000);
  await t
    .db()
    .update(aiJobs)
    .set({ createdAt: created, startedAt: created, completedAt: new Date(created.getTime() + 120_000) })
    .where(eq(aiJobs.id, jobId));
  const runs = [
    await seedRun(db(), { ageMs: 40 * DAY, status: "failed", data: { jobId }, output: null }),
    await seedRun(db(), { ageMs: 40 * DAY - 1000, data: { jobId }, output: { zeta: 1, alpha: { y: 2, b: 3 } } }),
    await seedRun(db(), { ageMs: 40 * DAY - 2000, data: { event: { data: { jobId } } }, functionId: "on-failure" }),
  ];
  return { jobId, runs };
}

const purge = (beforePurge?: typeof copyEngineTraces) =>
  createEmbeddedEngine({ db: db() }).purge({
    retentionMs: 30 * DAY,
    pauseMs: 0,
    batchSize: 2,
    ...(beforePurge ? { beforePurge: async (runs, tx) => void (await beforePurge(tx, runs)) } : {}),
  });

describe("a job's engine runs after retention purged them", () => {
  it("the admin job detail is the same before and after the purge", async () => {
    const admin = await makeActor("admin");
    const { jobId, runs } = await oldJobWithRuns();
    const before = await getAdminJobDetail(admin, { jobId });
    expect(before.runs.map((r) => r.run.id)).toEqual(runs.map((r) => r.runId));

    const result = await purge(copyEngineTraces);
    expect(result.runs).toBe(3);
    for (const { runId } of runs) expect(await exists(db(), "inngest_runs", runId)).toBe(false);
    expect((await countRows(db())).steps).toBe(0);

    const after = await getAdminJobDetail(admin, { jobId });
    expect(after).toEqual(before);
    // Exactly, not just deeply equal: dates revived as dates, object keys in the order the engine returned them.
    expect(JSON.stringify(after)).toBe(JSON.stringify(before));
    expect(after.runs[1]!.steps[1]!.endedAt).toBeInstanceOf(Date);
  });

  it("copying a run twice (a batch retried after a crash) changes nothing", async () => {
    const admin = await makeActor("admin");
    const { jobId } = await oldJobWithRuns();
    const before = await getAdminJobDetail(admin, { jobId });
    const detail = await createEmbeddedEngine({ db: db() }).query.runsForEvent({ data: { jobId } });
    await copyEngineTraces(db(), detail);
    await purge(copyEngineTraces);
    expect(await getAdminJobDetail(admin, { jobId })).toEqual(before);
  });

  it("without the hook the detail loses its runs (what the copy is for)", async () => {
    const admin = await makeActor("admin");
    const { jobId } = await oldJobWithRuns();
    await purge();
    expect((await getAdminJobDetail(admin, { jobId })).runs).toEqual([]);
  });
});
