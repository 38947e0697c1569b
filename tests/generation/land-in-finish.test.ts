import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { createRunAiChildJob } from "@/lib/ai/functions/run-ai-child-job";
import { createRunAiJob } from "@/lib/ai/functions/run-ai-job";
import { settleFanOutParentOnFailure } from "@/lib/ai/functions/settle-fan-out-parent";
import { createJobTypeRegistry, type ModelJobType } from "@/lib/ai/job-types";
import { resolveModel } from "@/lib/ai/models";
import { createOfflineModel } from "@/lib/ai/offline-model";
import { applyPageJobResultFunction } from "@/lib/stories/functions/apply-page-job-result";
import { reviseStoryPagesFunction } from "@/lib/stories/functions/revise-story-pages";
import { storyJobTypes } from "@/lib/stories/job-types";
import { getPageJob, requestPageText, type PageJobView } from "@/lib/stories";
import { requestBackgroundRevision } from "@/lib/stories/background/request";
import { useEngine, waitFor } from "../engine/harness";
import { makeActor, makeStory, pageRow } from "../helpers/fixtures";

/**
 * Issue 13: a job lands inside its run's finish step (no second function run on the critical path of Generate); the
 * domain's landing function still lands what a run could not (its landing failed), from the same announcement.
 */
const landing = { failures: 0 };
// The app's job types, with a page write whose landing can be made to fail in the run (not in the landing function,
// which has the real definitions).
const jobTypes = createJobTypeRegistry(
  storyJobTypes.map((definition) =>
    definition.kind === "model" && definition.type === "page_text.write"
      ? ({
          ...definition,
          land: async (job) => {
            if (landing.failures > 0) {
              landing.failures--;
              throw new Error("the database went away for a moment");
            }
            return definition.land(job);
          },
        } satisfies ModelJobType)
      : definition,
  ),
);
const model = createOfflineModel({ msPerWord: 0 });
const runnerOptions = { model: () => ({ ...resolveModel({}), model }), jobTypes, flushIntervalMs: 0 };
const t = useEngine(() => [
  createRunAiJob(runnerOptions),
  createRunAiChildJob(runnerOptions),
  applyPageJobResultFunction,
  reviseStoryPagesFunction,
  settleFanOutParentOnFailure,
]);

type Author = Awaited<ReturnType<typeof makeActor>>;

async function settled(actor: Author, jobId: string): Promise<PageJobView> {
  return waitFor(
    async () => {
      const job = await getPageJob(actor, { jobId });
      return job.status === "succeeded" && job.resolution ? job : null;
    },
    { timeoutMs: 30_000, what: `job ${jobId} to land` },
  );
}

/** The functions that ran for the job, once every run of it has ended. */
async function functionsRun(jobId: string): Promise<string[]> {
  const runs = await waitFor(
    async () => {
      const found = await t.engine().query.runsForEvent({ data: { jobId } });
      return found.length > 0 && found.every((r) => r.run.status !== "queued" && r.run.status !== "running")
        ? found
        : null;
    },
    { what: `the runs of job ${jobId} to end` },
  );
  return runs.map((r) => r.run.functionId.replace(/^story-sprout-/, "")).sort();
}

describe("landing a job's result", () => {
  it("lands a Generate in its run's finish step: the page is written and no landing function runs", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["The harbour was quiet.", ""]);
    const job = await requestPageText(author, { pageId: pages[1]!.id });
    const done = await settled(author, job.id);
    expect(done.resolution).toBe("applied");
    expect((await pageRow(pages[1]!.id))!.version).toBe(2);
    // The page is written a moment before the finish step records the landing (same step, next statement).
    const landedAt = await waitFor(
      async () => (await t.db().select().from(aiJobs).where(eq(aiJobs.id, job.id)))[0]?.landedAt ?? null,
      { what: `job ${job.id} to be marked landed` },
    );
    expect(landedAt).toBeInstanceOf(Date);
    expect(await functionsRun(job.id)).toEqual(["run-ai-job"]);
  });

  it("leaves a landing that failed in the run to the landing function, which lands it", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["The harbour was quiet.", ""]);
    landing.failures = 1;
    const job = await requestPageText(author, { pageId: pages[1]!.id });
    const done = await settled(author, job.id);
    expect(landing.failures).toBe(0);
    expect(done.resolution).toBe("applied");
    expect((await pageRow(pages[1]!.id))!.version).toBe(2);
    expect(await functionsRun(job.id)).toEqual(["apply-page-job-result", "run-ai-job"]);
  });

  it("lands a background revision's pages in their runs and ends the revision with them", async () => {
    const author = await makeActor();
    const { story, pages } = await makeStory(author, ["The harbour was quiet.", "Night fell."]);
    const { revision } = await requestBackgroundRevision(author, {
      storyId: story.id,
      pageIds: pages.map((p) => p.id),
      instruction: "darker",
    });
    const ended = await waitFor(
      async () => {
        const [row] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, revision.id));
        return row && row.status !== "pending" && row.status !== "running" ? row : null;
      },
      { timeoutMs: 30_000, what: "the background revision to end" },
    );
    expect(ended.status).toBe("succeeded");
    const children = await t.db().select().from(aiJobs).where(eq(aiJobs.parentJobId, revision.id));
    expect(children).toHaveLength(2);
    for (const child of children) {
      expect(child.landedAt).toBeInstanceOf(Date);
      expect(await functionsRun(child.id)).toEqual(["run-ai-child-job"]);
    }
  });
});
