import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { resolveModel } from "@/lib/ai/models";
import { requestPageText, updateStory } from "@/lib/stories";
import { useTestDb } from "../helpers/db";
import { expectAppError, makeActor, makeStory, storyRow } from "../helpers/fixtures";
import { threeOfflineModels, writeModelsFile } from "./helpers";

// Routing by task and by the story's choice, with a registry of three offline models (./helpers.ts).

const t = useTestDb();

beforeEach(() => {
  vi.stubEnv("AI_MODELS_FILE", writeModelsFile(threeOfflineModels));
});
afterEach(() => {
  vi.unstubAllEnvs();
});

async function jobModel(jobId: string) {
  const [row] = await t.db().select({ model: aiJobs.model }).from(aiJobs).where(eq(aiJobs.id, jobId));
  return row!.model;
}

async function jobBudget(jobId: string) {
  const [row] = await t.db().select({ payload: aiJobs.promptPayload }).from(aiJobs).where(eq(aiJobs.id, jobId));
  return (row!.payload as { contextBreakdown: { budgetTokens: number } }).contextBreakdown.budgetTokens;
}

describe("routing by task and by story", () => {
  it("each task has its default: prose the first model, summaries the cheaper one", () => {
    expect(resolveModel(process.env).modelId).toBe("draft");
    expect(resolveModel(process.env, { task: "summary" }).modelId).toBe("cheap");
    expect(resolveModel(process.env, { task: "codex" }).modelId).toBe("draft");
  });

  it("a page job runs on the site default, then on the model the author chose for the story, and records it", async () => {
    const author = await makeActor();
    const { story, pages } = await makeStory(author, ["", ""]);
    const first = await requestPageText(author, { pageId: pages[0]!.id });
    expect(await jobModel(first.id)).toBe("draft");

    await updateStory(author, { storyId: story.id, modelId: "fine" });
    expect((await storyRow(story.id))!.modelId).toBe("fine");
    const second = await requestPageText(author, { pageId: pages[1]!.id });
    expect(await jobModel(second.id)).toBe("fine");
    // The prompt budget follows the model: the whole window less the reserve for "fine", the 16,000 cap for "draft".
    expect(await jobBudget(first.id)).toBe(16_000);
    expect(await jobBudget(second.id)).toBe(4000);
  });

  it("a model that does not serve prose, or is not in the registry, is refused, naming the field; null resets", async () => {
    const author = await makeActor();
    const { story } = await makeStory(author, [""]);
    for (const modelId of ["cheap", "gpt-9"]) {
      const error = await expectAppError(updateStory(author, { storyId: story.id, modelId }), "VALIDATION");
      expect(error.details).toMatchObject({ fields: { modelId: expect.stringContaining("draft, fine") } });
    }
    expect((await storyRow(story.id))!.modelId).toBeNull();
    await updateStory(author, { storyId: story.id, modelId: "fine" });
    await updateStory(author, { storyId: story.id, modelId: null });
    expect((await storyRow(story.id))!.modelId).toBeNull();
  });

  it("another author cannot choose a story's model", async () => {
    const author = await makeActor();
    const other = await makeActor();
    const { story } = await makeStory(author, [""]);
    await expectAppError(updateStory(other, { storyId: story.id, modelId: "fine" }), "NOT_FOUND");
    expect((await storyRow(story.id))!.modelId).toBeNull();
  });
});
