import { and, eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { inngestRuns } from "@/lib/inngest/embedded/testing";
import { pageRevisions } from "@/db/schema";
import { createRunAiJob } from "@/lib/ai/functions/run-ai-job";
import { resolveModel } from "@/lib/ai/models";
import { inngest } from "@/lib/inngest/client";
import { aiJobSucceeded } from "@/lib/inngest/events/ai-job-succeeded";
import { applyPageJobResultFunction } from "@/lib/stories/functions/apply-page-job-result";
import { getPageJob, requestPageText, type PageJobView } from "@/lib/stories";
import { useEngine, waitFor } from "../engine/harness";
import { makeActor, makeStory, pageRow } from "../helpers/fixtures";

// The finish step announces ai/job.succeeded itself (no separate step): a repeat of that step must still announce a
// job its first attempt already marked succeeded, and the fixed event id must keep a second announcement from landing
// the text twice.
const t = useEngine(() => [
  createRunAiJob({ model: () => resolveModel({}), flushIntervalMs: 0 }),
  applyPageJobResultFunction,
]);

type Send = typeof inngest.send;
const realSend: Send = inngest.send.bind(inngest);

/** Makes the first send of ai/job.succeeded fail, before or after the event was accepted. */
function failFirstAnnouncement(when: "before" | "after") {
  const failures: string[] = [];
  vi.spyOn(inngest, "send").mockImplementation((async (payload: Parameters<Send>[0]) => {
    const events = Array.isArray(payload) ? payload : [payload];
    const announcing = failures.length === 0 && events.some((e) => e.name === aiJobSucceeded.name);
    if (announcing && when === "before") {
      failures.push(when);
      throw new Error("event intake unavailable");
    }
    const result = await realSend(payload);
    if (announcing) {
      failures.push(when);
      throw new Error("lost the answer of the event intake");
    }
    return result;
  }) as Send);
  return failures;
}

async function landed(author: Parameters<typeof getPageJob>[0], jobId: string): Promise<PageJobView> {
  return waitFor(
    async () => {
      const job = await getPageJob(author, { jobId });
      return job.status === "succeeded" && job.resolution ? job : null;
    },
    { timeoutMs: 20_000, what: `job ${jobId} to land` },
  );
}

async function runsOf(functionSuffix: string, jobId: string) {
  return t
    .db()
    .select({ id: inngestRuns.id, status: inngestRuns.status })
    .from(inngestRuns)
    .where(
      and(
        sql`${inngestRuns.functionId} like ${`%${functionSuffix}`}`,
        sql`${inngestRuns.event}->'data'->>'jobId' = ${jobId}`,
      ),
    );
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("announcing a finished job from the finish step", () => {
  it.each(["before", "after"] as const)(
    "lands the text exactly once when the announcement fails %s the event was accepted",
    async (when) => {
      const author = await makeActor();
      const { pages } = await makeStory(author, ["Mara climbed the lighthouse stairs.", ""]);
      const failures = failFirstAnnouncement(when);

      const job = await requestPageText(author, { pageId: pages[1]!.id });
      const done = await landed(author, job.id);

      expect(failures).toEqual([when]);
      expect(done.resolution).toBe("applied");
      const page = await pageRow(pages[1]!.id);
      expect(page?.content).not.toBe("");
      expect(page?.version).toBe(2);
      const revisions = await t.db().select().from(pageRevisions).where(eq(pageRevisions.jobId, job.id));
      expect(revisions).toHaveLength(1);
      // Only once run-ai-job has ended has its repeated finish step sent whatever it was going to send.
      await waitFor(async () => (await runsOf("run-ai-job", job.id)).every((r) => r.status === "completed") || null, {
        what: "run-ai-job to end",
      });
      expect(await runsOf("apply-page-job-result", job.id)).toHaveLength(1);
    },
  );
});
