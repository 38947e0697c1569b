import type { LanguageModelV4 } from "@ai-sdk/provider";
import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { createRunAiChildJob } from "@/lib/ai/functions/run-ai-child-job";
import { createRunAiJob } from "@/lib/ai/functions/run-ai-job";
import { createJobTypeRegistry } from "@/lib/ai/job-types";
import { createOfflineModel } from "@/lib/ai/offline-model";
import { requestPageText } from "@/lib/stories";
import { applyPageJobResultFunction } from "@/lib/stories/functions/apply-page-job-result";
import { storyJobTypes } from "@/lib/stories/job-types";
import { summarizeAfterEdit } from "@/lib/stories/summaries/schedule";
import { offlineChoice } from "../helpers/offline-choice";
import { sleep, useEngine, waitFor } from "../engine/harness";
import { makeActor, makeStory } from "../helpers/fixtures";

/*
 * Foreground first (lib/ai/jobs/foreground.ts): a background job's steps give way to a Generate of the same process.
 * Generate's model is held open here; the summary's model answers at once, so a summary that did not give way would
 * be written long before Generate ends.
 */

const offline = createOfflineModel({ msPerWord: 0 });
let release: (() => void) | null = null;
let held: Promise<void> | null = null;
const heldModel: LanguageModelV4 = {
  ...offline,
  doStream: async (options) => {
    if (held) await held;
    return offline.doStream(options);
  },
};
const jobTypes = createJobTypeRegistry(storyJobTypes);
const timing = { stallTimeoutMs: 60_000, totalTimeoutMs: 90_000, flushIntervalMs: 0 };

vi.setConfig({ testTimeout: 120_000 });
// Longer than the test holds Generate: the summary waits for Generate's end, not for this bound.
vi.stubEnv("AI_BACKGROUND_YIELD_MS", "100000");

const t = useEngine(() => [
  createRunAiJob({ model: offlineChoice(heldModel), jobTypes, ...timing }),
  // As the app makes it: its pacing comes from AI_BACKGROUND_YIELD_MS (set below).
  createRunAiChildJob({ model: offlineChoice(offline), jobTypes, ...timing }),
  applyPageJobResultFunction,
]);

async function statusOf(jobId: string) {
  const [row] = await t.db().select({ status: aiJobs.status }).from(aiJobs).where(eq(aiJobs.id, jobId));
  return row!.status;
}

describe("background jobs give way to the foreground", () => {
  it("a page's summary waits while a Generate of this process is writing, and is written once it ends", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mara climbed the lighthouse stairs at dusk. The lamp was cold.", ""]);
    held = new Promise((resolve) => {
      release = resolve;
    });
    const generate = await requestPageText(author, { pageId: pages[1]!.id });
    await waitFor(async () => ((await statusOf(generate.id)) === "running" ? true : null), {
      timeoutMs: 30_000,
      what: "Generate running",
    });

    const summary = await summarizeAfterEdit(pages[0]!.id, author.id);
    if (summary.outcome !== "submitted") throw new Error(`summary not submitted: ${summary.outcome}`);
    // Time enough for an instant summary to be rendered, written and landed many times over.
    await sleep(1500);
    expect(await statusOf(summary.jobId)).toBe("pending");
    expect(await statusOf(generate.id)).toBe("running");

    release!();
    held = null;
    await waitFor(async () => ((await statusOf(generate.id)) === "succeeded" ? true : null), {
      timeoutMs: 60_000,
      what: "Generate done",
    });
    await waitFor(async () => ((await statusOf(summary.jobId)) === "succeeded" ? true : null), {
      timeoutMs: 60_000,
      what: "the summary written after Generate",
    });
  });
});
