import { describe, expect, it, vi } from "vitest";
import { getDb } from "@/db";
import { createScopeHub, listLiveScopeJobs, publishJobUpdate } from "@/lib/ai";
import { startJob } from "@/lib/ai/job-types/steps";
import { createOrJoinJob, recordRenderedPrompt } from "@/lib/ai/jobs/ledger";
import { requestPageText } from "@/lib/stories";
import { STORY_SCOPE } from "@/lib/stories/job-kinds";
import { storyJobEventViews, type StoryJobEvent } from "@/lib/stories/live/views";
import { useTestDb } from "../helpers/db";
import { makeActor, makeStory, pageWriteJob } from "../helpers/fixtures";

/**
 * Issue 13: a job created after a story's event stream opened streams its first token to that stream at once, not
 * after the story's next poll. The poll interval here is a day: only the submission's news can bring the job in.
 */
vi.mock("@/lib/ai/jobs/queue", async (original) => ({
  ...(await original<typeof import("@/lib/ai/jobs/queue")>()),
  enqueueJob: vi.fn(async () => {}),
}));

useTestDb();

function storyHub() {
  const read = vi.fn(async (storyId: string) => listLiveScopeJobs(await getDb(), STORY_SCOPE, storyId));
  const hub = createScopeHub<StoryJobEvent>({ read, views: storyJobEventViews, intervalMs: 86_400_000 });
  return { hub, read };
}

const partialOf = (view: StoryJobEvent) => ("partialText" in view ? view.partialText : undefined);

describe("a job started after the story's stream opened", () => {
  it("streams its partial text to the open stream without waiting for a poll", async () => {
    const author = await makeActor();
    const { story, pages } = await makeStory(author, ["Mara climbed the stairs.", ""]);
    const { hub, read } = storyHub();
    const received: { jobId: string; view: StoryJobEvent }[] = [];
    const off = hub.subscribe(story.id, (event) => received.push(event));
    try {
      await vi.waitFor(() => expect(read).toHaveBeenCalledTimes(1));
      const job = await requestPageText(author, { pageId: pages[1]!.id });
      // The submission's news made the hub read the new job, so it follows the job's pushes from now.
      await vi.waitFor(() => expect(received.some((e) => e.jobId === job.id)).toBe(true));
      await startJob(await getDb(), job.id);
      publishJobUpdate({ jobId: job.id, partialText: "Once upon" });
      await vi.waitFor(() =>
        expect(received.filter((e) => e.jobId === job.id).map((e) => partialOf(e.view))).toContain("Once upon"),
      );
    } finally {
      off();
    }
  });

  it("is followed from its start, when another instance submitted it", async () => {
    const author = await makeActor();
    const { story, pages } = await makeStory(author, ["Mara climbed the stairs.", ""]);
    const { hub, read } = storyHub();
    const received: { jobId: string; view: StoryJobEvent }[] = [];
    const off = hub.subscribe(story.id, (event) => received.push(event));
    try {
      await vi.waitFor(() => expect(read).toHaveBeenCalledTimes(1));
      // Recorded by another instance: its submission's news never reaches this process.
      const { job } = await createOrJoinJob(await getDb(), pageWriteJob(story.id, pages[1]!.id, author.id));
      expect(read).toHaveBeenCalledTimes(1);
      await startJob(await getDb(), job.id);
      await vi.waitFor(() => expect(received.some((e) => e.jobId === job.id)).toBe(true));
      publishJobUpdate({ jobId: job.id, partialText: "Once" });
      await vi.waitFor(() =>
        expect(received.filter((e) => e.jobId === job.id).map((e) => partialOf(e.view))).toContain("Once"),
      );
    } finally {
      off();
    }
  });

  it("is read every tick without its stored prompt, which no view shows", async () => {
    const author = await makeActor();
    const { story, pages } = await makeStory(author, ["Mara climbed the stairs.", ""]);
    const job = await requestPageText(author, { pageId: pages[1]!.id });
    const db = await getDb();
    await startJob(db, job.id);
    await recordRenderedPrompt(db, job.id, "hash", "a long story's prompt ".repeat(1000));
    const [live] = await listLiveScopeJobs(db, STORY_SCOPE, story.id);
    expect(live).toMatchObject({ id: job.id, status: "running", promptHash: "hash", renderedPrompt: null });
  });
});
