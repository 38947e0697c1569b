import type { LanguageModelV4, LanguageModelV4StreamPart } from "@ai-sdk/provider";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { pageSuggestions } from "@/db/suggestions-schema";
import { markCancelled } from "@/lib/ai";
import { createRunAiJob } from "@/lib/ai/functions/run-ai-job";
import { createJobTypeRegistry } from "@/lib/ai/job-types";
import { applyPageJobResultFunction } from "@/lib/stories/functions/apply-page-job-result";
import { storyJobTypes } from "@/lib/stories/job-types";
import { requestPageText } from "@/lib/stories";
import { useEngine, waitFor, waitForRuns } from "../engine/harness";
import { makeActor, makeStory, pageRow, revisionsOf } from "../helpers/fixtures";

/**
 * A cancel whose event never reaches the run: the ledger says "cancelled" (cancelPageJob marked it) but the
 * engine's cancelOn never fires (the event was lost, or the engine was down when it was sent). The run keeps going,
 * and only the ledger's status guards stand between the model's answer and the page: the partial-text save (which
 * doubles as the cancel check while streaming) and markSucceeded's guard in finish (after the last partial save).
 * The cancel is done here with markCancelled alone, exactly what cancelPageJob does before sending the event.
 */

/** Where the scripted model marks the job cancelled. */
type CancelPoint = "mid-stream" | "after-last-partial";

const WORDS = Array.from({ length: 12 }, (_v, i) => `word${i} `);
const FULL_TEXT = WORDS.join("");
let script: { pageId: string; cancelAt: CancelPoint; aborted: boolean } | null = null;

async function runningJobOf(pageId: string) {
  const [job] = await t
    .db()
    .select()
    .from(aiJobs)
    .where(and(eq(aiJobs.targetId, pageId), eq(aiJobs.status, "running")));
  return job;
}

/** The "lost cancel": the ledger row is cancelled, and no ai/job.cancel-requested is sent. */
async function cancelInLedgerOnly(pageId: string, afterPartial?: string) {
  const job = await waitFor(
    async () => {
      const running = await runningJobOf(pageId);
      return running && (afterPartial === undefined || running.partialText === afterPartial) ? running : null;
    },
    { what: "the running job (with its partial text)" },
  );
  expect(await markCancelled(t.db(), job.id)).not.toBeNull();
}

/** A model that streams WORDS one per read and marks the job cancelled at the scripted point. */
function scriptedModel(): LanguageModelV4 {
  return {
    specificationVersion: "v4",
    provider: "offline",
    modelId: "offline",
    supportedUrls: {},
    async doGenerate() {
      throw new Error("only streaming is used");
    },
    async doStream(callOptions) {
      const current = script!;
      const signal = callOptions.abortSignal;
      signal?.addEventListener("abort", () => (current.aborted = true));
      const stream = new ReadableStream<LanguageModelV4StreamPart>({
        async start(controller) {
          try {
            controller.enqueue({ type: "stream-start", warnings: [] });
            controller.enqueue({ type: "text-start", id: "0" });
            for (const [i, word] of WORDS.entries()) {
              if (signal?.aborted) throw signal.reason;
              if (current.cancelAt === "mid-stream" && i === 3) await cancelInLedgerOnly(current.pageId);
              controller.enqueue({ type: "text-delta", id: "0", delta: word });
              // Lets the consumer save each word's partial text before the next arrives.
              await new Promise((r) => setTimeout(r, 5));
            }
            // Every word was saved as partial text (flushIntervalMs 0); the final flush saves nothing, so from here
            // only finish's guard can tell.
            if (current.cancelAt === "after-last-partial") await cancelInLedgerOnly(current.pageId, FULL_TEXT);
            controller.enqueue({ type: "text-end", id: "0" });
            controller.enqueue({
              type: "finish",
              usage: {
                inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
                outputTokens: { total: WORDS.length, text: WORDS.length, reasoning: 0 },
              },
              finishReason: { unified: "stop", raw: "stop" },
            });
            controller.close();
          } catch (error) {
            controller.error(error);
          }
        },
      });
      return { stream };
    },
  };
}

const runAiJob = createRunAiJob({
  model: () => ({
    model: scriptedModel(),
    provider: "offline",
    modelId: "offline",
    label: "scripted",
    offline: true,
    inputBudgetTokens: 100_000,
  }),
  stallTimeoutMs: 5_000,
  totalTimeoutMs: 20_000,
  // Every word is saved as partial text, so each one is a cancel check.
  flushIntervalMs: 0,
  jobTypes: createJobTypeRegistry(storyJobTypes),
});
const t = useEngine(() => [runAiJob, applyPageJobResultFunction]);

async function jobOf(pageId: string) {
  const [job] = await t.db().select().from(aiJobs).where(eq(aiJobs.targetId, pageId));
  return job!;
}

async function expectNothingLanded(pageId: string, original: string) {
  const job = await jobOf(pageId);
  expect(job).toMatchObject({
    status: "cancelled",
    errorCode: "GEN_CANCELLED",
    outputText: null,
    partialText: null,
    landedAt: null,
  });
  expect(await pageRow(pageId)).toMatchObject({ content: original, version: 1 });
  expect(await revisionsOf(pageId)).toHaveLength(1);
  expect(await t.db().select().from(pageSuggestions).where(eq(pageSuggestions.pageId, pageId))).toEqual([]);
}

describe("a cancel whose event never reaches the run", () => {
  it("mid-stream: the next partial save sees the cancel, aborts the model call and writes nothing", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Keep this text."]);
    script = { pageId: pages[0]!.id, cancelAt: "mid-stream", aborted: false };
    await requestPageText(author, { pageId: pages[0]!.id });
    await waitForRuns(t.db(), "run-ai-job", 1);
    await expectNothingLanded(pages[0]!.id, "Keep this text.");
    expect(script.aborted).toBe(true);
  });

  it("after the last partial save: the answer arrives whole, finish refuses it and the job stays cancelled", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Keep this text too."]);
    script = { pageId: pages[0]!.id, cancelAt: "after-last-partial", aborted: false };
    await requestPageText(author, { pageId: pages[0]!.id });
    const runs = await waitForRuns(t.db(), "run-ai-job", 2);
    await expectNothingLanded(pages[0]!.id, "Keep this text too.");
    // The model call was not aborted: the whole answer reached finish, and finish's guard kept it out.
    expect(script.aborted).toBe(false);
    expect(runs.at(-1)!.status).toBe("completed");
    expect(runs.at(-1)!.output).toMatchObject({ outcome: "not-active" });
  });
});
