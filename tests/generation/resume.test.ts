import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { createRunAiJob } from "@/lib/ai/functions/run-ai-job";
import { inngestRuns } from "@/lib/inngest/embedded/testing";
import { subscribeJobUpdates } from "@/lib/ai/jobs/live";
import { createJobTypeRegistry } from "@/lib/ai/job-types";
import type { JobTypeRegistry } from "@/lib/ai/job-types/registry";
import { resolveModel } from "@/lib/ai/models";
import { costUsd } from "@/lib/ai/pricing";
import { countTokens } from "@/lib/ai/tokens";
import { CONTINUE_INSTRUCTION } from "@/lib/ai/workflows/continuation";
import { applyPageJobResultFunction } from "@/lib/stories/functions/apply-page-job-result";
import { storyJobTypes } from "@/lib/stories/job-types";
import { getPageJob, requestPageText, type PageJobView } from "@/lib/stories";
import { useEngine, waitFor } from "../engine/harness";
import { makeActor, makeStory, pageRow } from "../helpers/fixtures";
import { startFakeOpenAI } from "./fake-openai";

// Issue 12, Reliability 6: an answer cut off by GEN_TIMEOUT is continued by the next attempt, not paid for twice.
process.env.OPENAI_BASE_URL = "http://127.0.0.1:9/v1"; // recorded in the job row; the run uses the fake below
process.env.AI_MODEL = "gpt-4o-mini";

let fake: Awaited<ReturnType<typeof startFakeOpenAI>>;
let inputBudgetTokens = 100_000;
/** Set to make the next check of a whole answer fail as a bug would (retriable). */
let failNextValidate = false;
const registry = createJobTypeRegistry(storyJobTypes);
const jobTypes: JobTypeRegistry = {
  definitions: registry.definitions,
  fanOut: (type) => registry.fanOut(type),
  model: (type) => {
    const definition = registry.model(type);
    if (!definition) return definition;
    return {
      ...definition,
      validate: async (text) => {
        if (failNextValidate) {
          failNextValidate = false;
          throw new Error("a bug in the check");
        }
        await definition.validate?.(text);
      },
    };
  },
};
const runAiJob = createRunAiJob({
  model: () => ({
    ...resolveModel({ OPENAI_BASE_URL: fake.baseUrl, AI_MODEL: "gpt-4o-mini" }),
    inputBudgetTokens,
  }),
  stallTimeoutMs: 400,
  totalTimeoutMs: 10_000,
  flushIntervalMs: 0,
  maxOutputTokens: 10_000,
  jobTypes,
});
const t = useEngine(() => [runAiJob, applyPageJobResultFunction]);

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(async () => {
  await fake?.close();
  delete process.env.OPENAI_BASE_URL;
  delete process.env.AI_MODEL;
});

const words = (text: string) => text.split(/(?<= )/);
/** 80 words of a long answer: what streamed before the stall. */
const partialWords = Array.from({ length: 80 }, (_v, i) => `word${i} `);
const partial = partialWords.join("");

async function settled(actor: Parameters<typeof getPageJob>[0], jobId: string): Promise<PageJobView> {
  return waitFor(
    async () => {
      const job = await getPageJob(actor, { jobId });
      const done =
        job.status === "failed" || job.status === "cancelled" || (job.status === "succeeded" && job.resolution);
      return done ? job : null;
    },
    { timeoutMs: 30_000, what: `job ${jobId} to settle` },
  );
}

async function jobRow(jobId: string) {
  const [row] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, jobId));
  return row!;
}

type ChatMessage = { role: string; content: unknown };
const messagesOf = (index: number) => fake.requests[index]!.body.messages as ChatMessage[];

describe("an answer interrupted by GEN_TIMEOUT", () => {
  it("is continued by the next attempt: partial + continuation, the partial sent back, both attempts counted", async () => {
    inputBudgetTokens = 100_000;
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mara climbed the lighthouse stairs.", ""]);
    const continuation = "And then the lamp went out.";
    fake.script([
      { kind: "stall", words: partialWords },
      { kind: "stream", words: words(continuation) },
    ]);
    const partials: string[] = [];
    const job = await requestPageText(author, { pageId: pages[1]!.id });
    const stop = subscribeJobUpdates(job.id, (u) => u.partialText && partials.push(u.partialText));
    const done = await settled(author, job.id);
    stop();

    expect(done.status).toBe("succeeded");
    // Exactly the partial, then the continuation: nothing repeated, nothing lost.
    expect((await pageRow(pages[1]!.id))!.content).toBe(partial + continuation);

    // The second request is the first one's prompt, the partial as the assistant's turn, and the instruction.
    expect(fake.requests).toHaveLength(2);
    const first = messagesOf(0);
    const second = messagesOf(1);
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(3);
    expect(second[0]).toEqual(first[0]);
    expect(second[1]).toMatchObject({ role: "assistant", content: partial });
    expect(second[2]).toMatchObject({ role: "user", content: CONTINUE_INSTRUCTION });
    // The continuation may use what the partial left of the answer's output allowance.
    expect(fake.requests[0]!.body.max_tokens).toBe(10_000);
    expect(fake.requests[1]!.body.max_tokens).toBe(10_000 - countTokens(partial));

    // The ledger counts both attempts: the cut-off one's streamed tokens (an aborted stream reports no usage, so
    // they are counted from its text) and its prompt, then the resumed call as the provider reported it.
    const prompt = first[0]!.content as string;
    const row = await jobRow(job.id);
    expect(row).toMatchObject({ status: "succeeded", attempts: 2, resumedAttempts: 1 });
    // Generate renders its prompt at admission: this was the prerendered path (its run skips the render step).
    const runs = await t.db().select().from(inngestRuns);
    const run = runs.find((r) => (r.event as { data: { jobId?: string } }).data.jobId === job.id);
    expect((run!.event as { data: { prerendered?: boolean } }).data.prerendered).toBe(true);
    const interrupted = { inputTokens: countTokens(prompt), outputTokens: countTokens(partial) };
    const resumed = { inputTokens: 42, outputTokens: words(continuation).length };
    expect(row.inputTokens).toBe(interrupted.inputTokens + resumed.inputTokens);
    expect(row.outputTokens).toBe(interrupted.outputTokens + resumed.outputTokens);
    expect(Number(row.costUsd)).toBeCloseTo(costUsd("gpt-4o-mini", interrupted)! + costUsd("gpt-4o-mini", resumed)!, 6);

    // The live text never went back to empty: every update extends the one before it.
    expect(partials.at(-1)).toBe(partial + continuation);
    expect(partials.some((p) => p === partial)).toBe(true);
    for (let i = 1; i < partials.length; i++) expect(partials[i]!.startsWith(partials[i - 1]!)).toBe(true);
  });

  it("keeps the partial through a resumed attempt that stalls before writing anything, and resumes again", async () => {
    inputBudgetTokens = 100_000;
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mara climbed the lighthouse stairs.", ""]);
    fake.script([
      { kind: "stall", words: partialWords },
      { kind: "stall", words: [] },
      { kind: "stream", words: words("At last.") },
    ]);
    const job = await requestPageText(author, { pageId: pages[1]!.id });
    expect((await settled(author, job.id)).status).toBe("succeeded");
    expect((await pageRow(pages[1]!.id))!.content).toBe(`${partial}At last.`);
    expect(messagesOf(2)).toEqual(messagesOf(1));
    expect(await jobRow(job.id)).toMatchObject({ attempts: 3, resumedAttempts: 2 });
  });

  it("starts over after an answer that streamed to its end and then failed its check", async () => {
    inputBudgetTokens = 100_000;
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mara climbed the lighthouse stairs.", ""]);
    fake.script([
      { kind: "stream", words: partialWords },
      { kind: "stream", words: words("The second answer.") },
    ]);
    failNextValidate = true;
    const job = await requestPageText(author, { pageId: pages[1]!.id });
    expect((await settled(author, job.id)).status).toBe("succeeded");
    expect((await pageRow(pages[1]!.id))!.content).toBe("The second answer.");
    expect(messagesOf(1)).toEqual(messagesOf(0));
    expect(await jobRow(job.id)).toMatchObject({ attempts: 2, resumedAttempts: 0 });
  });

  it("drops a continuation's repeat of the partial's last words", async () => {
    inputBudgetTokens = 100_000;
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mara climbed the lighthouse stairs.", ""]);
    fake.script([
      { kind: "stall", words: partialWords },
      { kind: "stream", words: [...partialWords.slice(-4), ...words("and the rest.")] },
    ]);
    const job = await requestPageText(author, { pageId: pages[1]!.id });
    expect((await settled(author, job.id)).status).toBe("succeeded");
    expect((await pageRow(pages[1]!.id))!.content).toBe(`${partial}and the rest.`);
  });

  it("starts from zero when nothing streamed before the stall", async () => {
    inputBudgetTokens = 100_000;
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mara climbed the lighthouse stairs.", ""]);
    fake.script([
      { kind: "stall", words: [] },
      { kind: "stream", words: words("A fresh answer.") },
    ]);
    const job = await requestPageText(author, { pageId: pages[1]!.id });
    expect((await settled(author, job.id)).status).toBe("succeeded");
    expect((await pageRow(pages[1]!.id))!.content).toBe("A fresh answer.");
    expect(messagesOf(1)).toEqual(messagesOf(0));
    expect(await jobRow(job.id)).toMatchObject({ attempts: 2, resumedAttempts: 0 });
  });

  it("starts from zero when the partial is too short to be worth continuing", async () => {
    inputBudgetTokens = 100_000;
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mara climbed the lighthouse stairs.", ""]);
    fake.script([
      { kind: "stall", words: ["Half "] },
      { kind: "stream", words: words("A whole answer.") },
    ]);
    const partials: string[] = [];
    const job = await requestPageText(author, { pageId: pages[1]!.id });
    const stop = subscribeJobUpdates(job.id, (u) => u.partialText && partials.push(u.partialText));
    expect((await settled(author, job.id)).status).toBe("succeeded");
    stop();
    expect((await pageRow(pages[1]!.id))!.content).toBe("A whole answer.");
    expect(messagesOf(1)).toEqual(messagesOf(0));
    const row = await jobRow(job.id);
    expect(row).toMatchObject({ attempts: 2, resumedAttempts: 0 });
    // The thrown-away attempt is still paid for.
    expect(row.outputTokens).toBe(countTokens("Half ") + 3);
  });

  it("starts from zero when the prompt plus the partial would exceed the input budget", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mara climbed the lighthouse stairs.", ""]);
    fake.script([
      { kind: "stall", words: partialWords },
      { kind: "stream", words: words("Started over.") },
    ]);
    // Only the runner's resume check reads this choice's budget (the request assembled its prompt from the env's).
    inputBudgetTokens = 0;
    const job = await requestPageText(author, { pageId: pages[1]!.id });
    try {
      expect((await settled(author, job.id)).status).toBe("succeeded");
    } finally {
      inputBudgetTokens = 100_000;
    }
    expect((await pageRow(pages[1]!.id))!.content).toBe("Started over.");
    expect(messagesOf(1)).toEqual(messagesOf(0));
    expect((await jobRow(job.id)).resumedAttempts).toBe(0);
  });
});
