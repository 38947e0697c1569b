import { describe, expect, it } from "vitest";
import { aiJobTypes } from "@/db/ai-schema";
import { createJobTypeRegistry, isFanOutJobType, jobTypeKinds, type JobTypeDefinition } from "@/lib/ai/job-types";
import { aiBatchRequested } from "@/lib/inngest/events/ai-batch-requested";
import { aiChildJobRequested } from "@/lib/inngest/events/ai-child-job-requested";
import { aiJobRequested } from "@/lib/inngest/events/ai-job-requested";
import { aiJobSucceeded } from "@/lib/inngest/events/ai-job-succeeded";
import { pageTextRevise, pageTextWrite, reviseStoryPages, storyJobTypes } from "@/lib/stories/job-types";

const jobId = "11111111-1111-4111-8111-111111111111";
const parentJobId = "33333333-3333-4333-8333-333333333333";
const ref = {
  jobId,
  jobType: "page_text.revise",
  targetType: "page",
  targetId: "22222222-2222-4222-8222-222222222222",
};

describe("the job-type registry", () => {
  it("has one definition of the right kind for every job type of the ledger", () => {
    const registry = createJobTypeRegistry(storyJobTypes);
    for (const type of aiJobTypes) {
      const kind: string = jobTypeKinds[type];
      if (kind === "illustration") {
        // Drawn by their own function (lib/stories/functions/illustrate-page.ts), never by the text runners.
        expect(registry.model(type) ?? registry.fanOut(type)).toBeUndefined();
        continue;
      }
      const definition = kind === "fan-out" ? registry.fanOut(type) : registry.model(type);
      expect(definition?.type).toBe(type);
    }
    expect(registry.model("story.revise_pages")).toBeUndefined();
    expect(registry.fanOut("page_text.write")).toBeUndefined();
    expect(isFanOutJobType("story.revise_pages")).toBe(true);
    expect(isFanOutJobType("page_text.revise")).toBe(false);
    expect(isFanOutJobType("constructor")).toBe(false);
  });

  it("refuses a type defined twice, or defined as the wrong kind, when the app starts", () => {
    expect(() => createJobTypeRegistry([pageTextWrite, pageTextRevise, pageTextWrite])).toThrow(/defined twice/);
    const mislabelled = { ...reviseStoryPages, type: "page_text.revise" } as unknown as JobTypeDefinition;
    expect(() => createJobTypeRegistry([mislabelled])).toThrow(/is a model job, not fan-out/);
  });
});

describe("typed job events", () => {
  it("accept a well-formed payload", async () => {
    await expect(
      aiJobRequested.create({ ...ref, parentJobId: null }, { id: jobId }).validate(),
    ).resolves.toBeUndefined();
    await expect(aiChildJobRequested.create({ ...ref, parentJobId }).validate()).resolves.toBeUndefined();
    await expect(aiJobSucceeded.create({ ...ref, parentJobId }).validate()).resolves.toBeUndefined();
  });

  it("refuse a payload without its parent, with a malformed id, or a top-level job that names a parent", async () => {
    const withoutParent = { ...ref } as unknown as Parameters<typeof aiJobSucceeded.create>[0];
    await expect(aiJobSucceeded.create(withoutParent).validate()).rejects.toThrow(/parentJobId/);
    await expect(
      aiBatchRequested.create({ ...ref, jobId: "not-a-uuid", parentJobId: null }).validate(),
    ).rejects.toThrow(/jobId/);
    const topLevelWithParent = { ...ref, parentJobId } as unknown as Parameters<typeof aiJobRequested.create>[0];
    await expect(aiJobRequested.create(topLevelWithParent).validate()).rejects.toThrow(/parentJobId/);
    // A take is the one child queued beside Generate: it names its set.
    await expect(
      aiJobRequested.create({ ...ref, jobType: "page_text.take", parentJobId }).validate(),
    ).resolves.toBeUndefined();
  });
});
