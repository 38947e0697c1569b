import { beforeAll, describe, expect, it, vi } from "vitest";
import { v1 } from "@/lib/http/v1-operations";
import type { Actor, IllustrationJobView, IllustrationView, PageIllustrations } from "@/lib/stories";
import { runIllustrationJob } from "@/lib/stories/illustrations/run";
import type { ErrorAnswer } from "../api/route-call";
import { contractCheckedCallRoute } from "../api/v1-contract";
import { useTestDb } from "../helpers/db";
import { makeActor, makeStory } from "../helpers/fixtures";
import { fakeImageModel, fastRetry, illustrationRowsOf, samplePng } from "./helpers";

/** REST API v1 of page illustrations, called as Next calls the route handlers; every answer checked against its operation. */
vi.mock("@/lib/ai/jobs/queue", async (original) => ({
  ...(await original<typeof import("@/lib/ai/jobs/queue")>()),
  enqueueJob: vi.fn(async () => {}),
  requestJobCancel: vi.fn(async () => {}),
}));

const tokens = await import("@/lib/auth/api-tokens");
const illustrate = await import("@/app/api/v1/pages/[pageId]/illustrate/route");
const illustrations = await import("@/app/api/v1/pages/[pageId]/illustrations/route");
const choose = await import("@/app/api/v1/illustrations/[illustrationId]/choose/route");
const job = await import("@/app/api/v1/jobs/[jobId]/route");
const cancel = await import("@/app/api/v1/jobs/[jobId]/cancel/route");
const retry = await import("@/app/api/v1/jobs/[jobId]/retry/route");

const callRoute = contractCheckedCallRoute([
  [illustrate.POST, v1.illustratePage],
  [illustrations.GET, v1.listPageIllustrations],
  [choose.POST, v1.chooseIllustration],
  [job.GET, v1.getJob],
  [cancel.POST, v1.cancelJob],
  [retry.POST, v1.retryJob],
]);

useTestDb();

let a: Actor;
let tokenA: string;
let tokenB: string;
beforeAll(async () => {
  a = await makeActor();
  const b = await makeActor();
  tokenA = (await tokens.createApiToken(a, { name: "A" })).secret;
  tokenB = (await tokens.createApiToken(b, { name: "B" })).secret;
});

type Accepted = { created: boolean; job: IllustrationJobView };
const model = fakeImageModel(async () => ({ bytes: samplePng(), claimedType: "image/png" }));

describe("REST: page illustrations", () => {
  it("illustrate → 202 with the job (Location /api/v1/jobs/{id}), followed there to done; list; choose", async () => {
    const {
      pages: [page],
    } = await makeStory(a, ["Mara lit the lamp at night."]);
    const started = await callRoute<Accepted>(illustrate.POST, { token: tokenA, params: { pageId: page!.id } });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({
      created: true,
      job: { jobType: "page.illustrate", pageId: page!.id, status: "pending", phase: "queued" },
    });
    const jobId = started.body.job.id;
    expect(started.headers.get("location")).toBe(`/api/v1/jobs/${jobId}`);

    // A second request while it runs joins it: no second job.
    const joined = await callRoute<Accepted>(illustrate.POST, {
      token: tokenA,
      params: { pageId: page!.id },
      body: {},
    });
    expect(joined.status).toBe(202);
    expect(joined.body).toMatchObject({ created: false, job: { id: jobId } });

    const queued = await callRoute<IllustrationJobView>(job.GET, { token: tokenA, params: { jobId } });
    expect(queued.status).toBe(200);
    expect(queued.body).toMatchObject({ id: jobId, jobType: "page.illustrate", phase: "queued" });

    expect((await runIllustrationJob(jobId, { model, retry: fastRetry })).outcome).toBe("succeeded");
    const done = await callRoute<IllustrationJobView>(job.GET, { token: tokenA, params: { jobId } });
    expect(done.body).toMatchObject({
      status: "succeeded",
      phase: "done",
      sceneDescription: "Mara lit the lamp at night.",
    });

    const listed = await callRoute<PageIllustrations>(illustrations.GET, {
      token: tokenA,
      params: { pageId: page!.id },
    });
    expect(listed.status).toBe(200);
    expect(listed.body.job).toMatchObject({ id: jobId, phase: "done" });
    expect(listed.body.attempts).toHaveLength(1);
    const [attempt] = listed.body.attempts;
    expect(attempt).toMatchObject({
      chosen: false,
      contentType: "image/png",
      imageUrl: `/api/illustrations/${attempt!.id}/image`,
    });

    const chosen = await callRoute<IllustrationView>(choose.POST, {
      token: tokenA,
      params: { illustrationId: attempt!.id },
    });
    expect(chosen.status).toBe(200);
    expect(chosen.body).toMatchObject({ id: attempt!.id, chosen: true });

    // Not retried as a page job (its target is the page, but it writes no text).
    const retried = await callRoute<ErrorAnswer>(retry.POST, { token: tokenA, params: { jobId } });
    expect(retried.status).toBe(400);
    expect(retried.body.code).toBe("VALIDATION");
  });

  it("an edited scene and image prompt are sent as they are (Regenerate)", async () => {
    const {
      pages: [page],
    } = await makeStory(a, ["Tomas waited on the pier."]);
    const started = await callRoute<Accepted>(illustrate.POST, {
      token: tokenA,
      params: { pageId: page!.id },
      body: { sceneDescription: "A boy on a pier at dawn.", imagePrompt: "A watercolour of a boy on a pier at dawn." },
    });
    expect(started.status).toBe(202);
    const prompts: string[] = [];
    const result = await runIllustrationJob(started.body.job.id, {
      model: fakeImageModel(async (request) => {
        prompts.push(request.prompt);
        return { bytes: samplePng(), claimedType: "image/png" };
      }),
      retry: fastRetry,
    });
    expect(result.outcome).toBe("succeeded");
    expect(prompts).toEqual(["A watercolour of a boy on a pier at dawn."]);
    expect((await illustrationRowsOf(page!.id))[0]).toMatchObject({ sceneDescription: "A boy on a pier at dawn." });
  });

  it("cancel by the job's id: cancelled, nothing stored", async () => {
    const {
      pages: [page],
    } = await makeStory(a, ["The fog came in."]);
    const started = await callRoute<Accepted>(illustrate.POST, { token: tokenA, params: { pageId: page!.id } });
    const jobId = started.body.job.id;
    // Someone else cannot cancel it (nor learn that it exists).
    expect((await callRoute<ErrorAnswer>(cancel.POST, { token: tokenB, params: { jobId } })).status).toBe(404);
    const cancelled = await callRoute<IllustrationJobView>(cancel.POST, { token: tokenA, params: { jobId } });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: jobId, status: "cancelled", phase: "cancelled" });
    expect((await runIllustrationJob(jobId, { model, retry: fastRetry })).outcome).toBe("not-active");
    expect(await illustrationRowsOf(page!.id)).toEqual([]);
    // Idempotent: the cancelled job comes back as it is.
    expect((await callRoute<IllustrationJobView>(cancel.POST, { token: tokenA, params: { jobId } })).body.status).toBe(
      "cancelled",
    );
  });

  it("bad input, a blank page and someone else's page: JSON errors, nothing queued", async () => {
    const {
      pages: [page, blank],
    } = await makeStory(a, ["Some text.", ""]);
    const noToken = await callRoute<ErrorAnswer>(illustrate.POST, { params: { pageId: page!.id } });
    expect(noToken.status).toBe(401);
    expect(noToken.body.code).toBe("UNAUTHENTICATED");

    const other = await callRoute<ErrorAnswer>(illustrate.POST, { token: tokenB, params: { pageId: page!.id } });
    expect(other.status).toBe(404);
    expect(other.body.code).toBe("NOT_FOUND");
    const otherList = await callRoute<ErrorAnswer>(illustrations.GET, { token: tokenB, params: { pageId: page!.id } });
    expect(otherList.status).toBe(404);

    const empty = await callRoute<ErrorAnswer>(illustrate.POST, { token: tokenA, params: { pageId: blank!.id } });
    expect(empty.status).toBe(400);
    expect(empty.body).toMatchObject({ code: "VALIDATION", details: { fields: { pageId: expect.any(String) } } });

    const badId = await callRoute<ErrorAnswer>(illustrate.POST, { token: tokenA, params: { pageId: "nope" } });
    expect(badId.status).toBe(400);
    const tooLong = await callRoute<ErrorAnswer>(illustrate.POST, {
      token: tokenA,
      params: { pageId: page!.id },
      body: { imagePrompt: "x".repeat(4001) },
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.code).toBe("VALIDATION");
    const notJson = await callRoute<ErrorAnswer>(illustrate.POST, {
      token: tokenA,
      params: { pageId: page!.id },
      rawBody: "{",
    });
    expect(notJson.status).toBe(400);
    const notObject = await callRoute<ErrorAnswer>(illustrate.POST, {
      token: tokenA,
      params: { pageId: page!.id },
      body: [1],
    });
    expect(notObject.status).toBe(400);

    const unknown = await callRoute<ErrorAnswer>(choose.POST, {
      token: tokenA,
      params: { illustrationId: crypto.randomUUID() },
    });
    expect(unknown.status).toBe(404);
    // Nothing was queued by any of these.
    const listed = await callRoute<PageIllustrations>(illustrations.GET, {
      token: tokenA,
      params: { pageId: page!.id },
    });
    expect(listed.body).toEqual({ attempts: [], job: null, waitingForText: false });
  });
});
