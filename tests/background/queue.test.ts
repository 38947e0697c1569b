import { beforeEach, describe, expect, it, vi } from "vitest";

const send = vi.hoisted(() => vi.fn(async () => ({ ids: [] })));
vi.mock("@/lib/inngest/client", () => ({ inngest: { send } }));
const { enqueueJob } = await import("@/lib/ai/jobs/queue");

// The sweeper re-sends every pending job through enqueueJob: each kind must get its own event, or a parent would
// never fan out and a child would run outside the background limit.
describe("enqueueJob routes each kind of job to its own event", () => {
  beforeEach(() => send.mockClear());
  const base = {
    id: "11111111-1111-4111-8111-111111111111",
    targetType: "page",
    targetId: "22222222-2222-4222-8222-222222222222",
  };

  it("a plain page job → ai/job.requested", async () => {
    await enqueueJob({ ...base, jobType: "page_text.revise", parentJobId: null });
    expect(send).toHaveBeenCalledWith(expect.objectContaining({ id: base.id, name: "ai/job.requested" }));
  });

  it("a fan-out parent → ai/batch.requested", async () => {
    await enqueueJob({ ...base, targetType: "story", jobType: "story.revise_pages", parentJobId: null });
    expect(send).toHaveBeenCalledWith(expect.objectContaining({ id: base.id, name: "ai/batch.requested" }));
  });

  it("a child → ai/child-job.requested with its parent", async () => {
    const parentJobId = "33333333-3333-4333-8333-333333333333";
    await enqueueJob({ ...base, jobType: "page_text.revise", parentJobId });
    expect(send).toHaveBeenCalledWith(
      expect.objectContaining({
        id: base.id,
        name: "ai/child-job.requested",
        data: { jobId: base.id, jobType: "page_text.revise", targetType: "page", targetId: base.targetId, parentJobId },
      }),
    );
  });

  // A re-send under the job id would be dropped as a duplicate event for 24 h, even when the first event started
  // nothing; the runners' idempotency on the job id keeps a job that has a run from running twice.
  it("a re-send (sweeper) carries a fresh event id, not the job id", async () => {
    await enqueueJob({ ...base, jobType: "page_text.revise", parentJobId: null }, { resend: true });
    const [event] = send.mock.calls[0] as unknown as [{ id?: string; name: string }];
    expect(event.name).toBe("ai/job.requested");
    expect(event.id).not.toBe(base.id);
  });
});
