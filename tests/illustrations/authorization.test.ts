import { describe, expect, it, vi } from "vitest";
import { getDb } from "@/db";
import { pageIllustrations } from "@/db/illustrations-schema";
import * as domain from "@/lib/stories";
import type { Actor } from "@/lib/stories";
import { runIllustrationJob } from "@/lib/stories/illustrations/run";
import { useTestDb } from "../helpers/db";
import { makeActor, makeAiJob, makeStory } from "../helpers/fixtures";
import { fakeImageModel, fastRetry, samplePng } from "./helpers";

vi.mock("@/lib/ai/jobs/queue", () => ({ enqueueJob: vi.fn(async () => {}), requestJobCancel: vi.fn(async () => {}) }));

useTestDb();

/**
 * The illustration functions × {anonymous, another author, the owner, an admin}: another author's page, job or
 * illustration reads exactly like a missing one (NOT_FOUND) and nothing changes.
 */
interface World {
  storyId: string;
  pageId: string;
  jobId: string;
  illustrationId: string;
  textJobId: string;
}

async function makeWorld(owner: Actor): Promise<World> {
  const { story, pages } = await makeStory(owner, ["Mara at the harbour."]);
  const { job } = await domain.requestIllustration(owner, { pageId: pages[0]!.id });
  const result = await runIllustrationJob(job.id, {
    model: fakeImageModel(async () => ({ bytes: samplePng(), claimedType: "image/png" })),
    retry: fastRetry,
  });
  if (result.outcome !== "succeeded") throw new Error("the world's illustration was not made");
  const textJobId = await makeAiJob(pages[0]!.id, owner.id);
  return { storyId: story.id, pageId: pages[0]!.id, jobId: job.id, illustrationId: result.illustrationId, textJobId };
}

const inputs = {
  requestIllustration: (w: World) => ({ pageId: w.pageId }),
  listPageIllustrations: (w: World) => ({ pageId: w.pageId }),
  chosenIllustrations: (w: World) => ({ storyId: w.storyId }),
  chooseIllustration: (w: World) => ({ illustrationId: w.illustrationId }),
  cancelIllustration: (w: World) => ({ pageId: w.pageId }),
  getIllustrationJob: (w: World) => ({ jobId: w.jobId }),
  readIllustrationImage: (w: World) => ({ illustrationId: w.illustrationId }),
  illustrateAfterText: (w: World) => ({ pageId: w.pageId, jobId: w.textJobId }),
} as const;

type DomainCall = (actor: Actor | null, input: unknown) => Promise<unknown>;
const calls: Record<keyof typeof inputs, DomainCall> = {
  requestIllustration: domain.requestIllustration,
  listPageIllustrations: domain.listPageIllustrations,
  chosenIllustrations: domain.chosenIllustrations,
  chooseIllustration: domain.chooseIllustration,
  cancelIllustration: domain.cancelIllustration,
  getIllustrationJob: domain.getIllustrationJob,
  readIllustrationImage: domain.readIllustrationImage,
  illustrateAfterText: domain.illustrateAfterText,
};
const fn = (name: keyof typeof inputs) => calls[name];

describe("illustrations: authorization", () => {
  it.each(Object.keys(inputs) as (keyof typeof inputs)[])(
    "%s: anonymous → UNAUTHENTICATED, another author → NOT_FOUND (nothing changes), owner and admin pass",
    async (name) => {
      const owner = await makeActor();
      const other = await makeActor();
      const admin = await makeActor("admin");
      const w = await makeWorld(owner);
      const db = await getDb();
      const before = await db.select().from(pageIllustrations);
      await expect(fn(name)(null, inputs[name](w))).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
      await expect(fn(name)(other, inputs[name](w))).rejects.toMatchObject({ code: "NOT_FOUND" });
      expect(await db.select().from(pageIllustrations)).toEqual(before);
      await expect(fn(name)(owner, inputs[name](w))).resolves.toBeDefined();
      await expect(fn(name)(admin, inputs[name](w))).resolves.toBeDefined();
    },
  );

  it("choosing keeps one chosen attempt per page; the reading view gets it", async () => {
    const owner = await makeActor();
    const w = await makeWorld(owner);
    await domain.chooseIllustration(owner, { illustrationId: w.illustrationId });
    const chosen = await domain.chosenIllustrations(owner, { storyId: w.storyId });
    expect(Object.keys(chosen)).toEqual([w.pageId]);
    expect(chosen[w.pageId]).toMatchObject({
      id: w.illustrationId,
      chosen: true,
      imageUrl: `/api/illustrations/${w.illustrationId}/image`,
    });
  });
});
