import { APICallError } from "@ai-sdk/provider";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "@/db";
import { pages } from "@/db/schema";
import { imageLimits, type ImageGenerator } from "@/lib/ai";
import {
  createCodexEntry,
  listPageIllustrations,
  readIllustrationImage,
  requestIllustration,
  type Actor,
} from "@/lib/stories";
import { runIllustrationJob } from "@/lib/stories/illustrations/run";
import { useTestDb } from "../helpers/db";
import { expectAppError, makeActor, makeStory } from "../helpers/fixtures";
import {
  childrenOf,
  fakeImageModel,
  fastRetry,
  illustrationRowsOf,
  jobRow,
  samplePng,
  storedImageCount,
} from "./helpers";

// No engine here: the job is run by calling its steps directly.
vi.mock("@/lib/ai/jobs/queue", () => ({ enqueueJob: vi.fn(async () => {}), requestJobCancel: vi.fn(async () => {}) }));

useTestDb();

let author: Actor;
beforeAll(async () => {
  author = await makeActor();
});

const pngAnswer: ImageGenerator = async () => ({ bytes: samplePng(), claimedType: "image/png" });

async function illustrate(pageId: string, generate: ImageGenerator = pngAnswer, input: object = {}) {
  const { job } = await requestIllustration(author, { pageId, ...input });
  const result = await runIllustrationJob(job.id, { model: fakeImageModel(generate), retry: fastRetry });
  return { jobId: job.id, result };
}

describe("Illustrate page (fake image model)", () => {
  it("describes the scene (its own ledger row), builds the prompt, draws and stores: ledger rows with cost and attempts", async () => {
    const {
      pages: [page],
    } = await makeStory(author, ["Mara lit the lamp at night. The sea was loud."]);
    const before = await storedImageCount();
    const { jobId, result } = await illustrate(page!.id);
    expect(result.outcome).toBe("succeeded");

    const job = await jobRow(jobId);
    expect(job).toMatchObject({
      status: "succeeded",
      jobType: "page.illustrate",
      model: expect.any(String),
      attempts: 1,
    });
    expect(Number(job.costUsd)).toBeCloseTo(0.042); // gpt-image-1, 1024x1024, from lib/ai/pricing.ts
    const output = JSON.parse(job.outputText!);
    expect(output).toMatchObject({
      size: "1024x1024",
      contentType: "image/png",
      width: 768,
      height: 512,
      storage: "database",
    });
    expect(Object.keys(output.timingsMs).sort()).toEqual(["generation", "prompt", "scene", "storage"]);

    const [scene] = await childrenOf(jobId);
    expect(scene).toMatchObject({
      jobType: "page.describe_scene",
      status: "succeeded",
      model: "gpt-4o-mini",
      inputTokens: 10,
      outputTokens: 5,
      outputText: "Mara lit the lamp at night. The sea was loud.",
    });
    expect(scene!.promptHash).toMatch(/^[0-9a-f]{64}$/);

    const [row] = await illustrationRowsOf(page!.id);
    expect(row).toMatchObject({
      jobId,
      storage: "database",
      contentType: "image/png",
      byteSize: samplePng().byteLength,
    });
    expect(await storedImageCount()).toBe(before + 1);
    const image = await readIllustrationImage(author, { illustrationId: row!.id });
    expect(image.contentType).toBe("image/png");
    expect(image.bytes.byteLength).toBe(samplePng().byteLength);
  });

  it("the type stored is the one the bytes have, whatever the provider claimed", async () => {
    const {
      pages: [page],
    } = await makeStory(author, ["Rain on the roof."]);
    await illustrate(page!.id, async () => ({ bytes: samplePng(), claimedType: "image/jpeg" }));
    expect((await illustrationRowsOf(page!.id))[0]!.contentType).toBe("image/png");
  });

  it("retries a provider failure with backoff and counts the attempts", async () => {
    const {
      pages: [page],
    } = await makeStory(author, ["The gate creaked."]);
    let calls = 0;
    const flaky: ImageGenerator = async (request) => {
      calls++;
      if (calls < 3)
        throw new APICallError({ message: "busy", url: "http://images", requestBodyValues: {}, statusCode: 503 });
      return pngAnswer(request);
    };
    const { jobId, result } = await illustrate(page!.id, flaky);
    expect(result.outcome).toBe("succeeded");
    expect((await jobRow(jobId)).attempts).toBe(3);
  });

  it("a provider that never answers times out after each attempt: GEN_TIMEOUT, nothing stored", async () => {
    const {
      pages: [page],
    } = await makeStory(author, ["Waiting."]);
    const { job } = await requestIllustration(author, { pageId: page!.id });
    const never: ImageGenerator = () => new Promise(() => {});
    const result = await runIllustrationJob(job.id, {
      model: fakeImageModel(never),
      retry: { attempts: 2, backoffMs: 1, timeoutMs: 30 },
    });
    expect(result).toEqual({ outcome: "failed", code: "GEN_TIMEOUT" });
    expect(await jobRow(job.id)).toMatchObject({ status: "failed", errorCode: "GEN_TIMEOUT", attempts: 2 });
    expect(await illustrationRowsOf(page!.id)).toEqual([]);
  });

  it.each([
    ["an SVG (never served as an image)", new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>')],
    ["HTML", new TextEncoder().encode("<html>quota exceeded</html>")],
    ["a truncated PNG", samplePng().subarray(0, 16)],
    [
      "an image over the byte limit",
      (() => {
        const b = new Uint8Array(imageLimits.maxBytes + 1);
        b.set(samplePng());
        return b;
      })(),
    ],
  ])("refuses %s: GEN_BAD_IMAGE after one attempt, nothing stored", async (_what, bytes) => {
    const {
      pages: [page],
    } = await makeStory(author, ["A page."]);
    const before = await storedImageCount();
    const { jobId, result } = await illustrate(page!.id, async () => ({ bytes, claimedType: "image/png" }));
    expect(result).toEqual({ outcome: "failed", code: "GEN_BAD_IMAGE" });
    expect(await jobRow(jobId)).toMatchObject({ status: "failed", errorCode: "GEN_BAD_IMAGE", attempts: 1 });
    expect(await illustrationRowsOf(page!.id)).toEqual([]);
    expect(await storedImageCount()).toBe(before);
    expect((await listPageIllustrations(author, { pageId: page!.id })).job).toMatchObject({
      phase: "failed",
      message: "The image model's answer was not a usable image. Nothing was stored.",
    });
  });

  it("a blank page is refused before anything is queued; one emptied after the request fails with its own code", async () => {
    const {
      pages: [blank, page],
    } = await makeStory(author, ["  ", "Some text."]);
    const error = await expectAppError(requestIllustration(author, { pageId: blank!.id }), "VALIDATION");
    expect(error.message).toMatch(/no text to illustrate/);
    const { job } = await requestIllustration(author, { pageId: page!.id });
    await (await getDb()).update(pages).set({ content: "" }).where(eq(pages.id, page!.id));
    const result = await runIllustrationJob(job.id, { model: fakeImageModel(pngAnswer), retry: fastRetry });
    expect(result).toEqual({ outcome: "failed", code: "GEN_NOTHING_TO_ILLUSTRATE" });
    expect(await illustrationRowsOf(page!.id)).toEqual([]);
  });

  it("a job cancelled while drawing stores nothing (the bytes written are removed again)", async () => {
    const {
      pages: [page],
    } = await makeStory(author, ["Mid-draw."]);
    const { job } = await requestIllustration(author, { pageId: page!.id });
    const { cancelIllustration } = await import("@/lib/stories");
    const before = await storedImageCount();
    const cancelling: ImageGenerator = async (request) => {
      await cancelIllustration(author, { pageId: page!.id });
      return pngAnswer(request);
    };
    const result = await runIllustrationJob(job.id, { model: fakeImageModel(cancelling), retry: fastRetry });
    expect(result.outcome).toBe("not-active");
    expect((await jobRow(job.id)).status).toBe("cancelled");
    expect(await illustrationRowsOf(page!.id)).toEqual([]);
    expect(await storedImageCount()).toBe(before);
  });

  it("Regenerate with the author's edited scene and prompt: no scene call, the prompt sent as written", async () => {
    const {
      story,
      pages: [page],
    } = await makeStory(author, ["Mara walked."]);
    await createCodexEntry(author, { storyId: story.id, kind: "character", name: "Mara", appearance: "red coat" });
    const prompts: string[] = [];
    const { jobId } = await illustrate(
      page!.id,
      async (request) => {
        prompts.push(request.prompt);
        return pngAnswer(request);
      },
      { sceneDescription: "Mara on a hill.", imagePrompt: "Mara, red coat, on a green hill, watercolour." },
    );
    expect(prompts).toEqual(["Mara, red coat, on a green hill, watercolour."]);
    expect(await childrenOf(jobId)).toEqual([]);
    expect((await illustrationRowsOf(page!.id))[0]).toMatchObject({ sceneDescription: "Mara on a hill." });
  });
});
