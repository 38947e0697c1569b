import { describe, expect, it } from "vitest";
import { functions } from "@/app/api/inngest/functions";
import { aiBatchRequested } from "@/lib/inngest/events/ai-batch-requested";
import { aiChildJobRequested } from "@/lib/inngest/events/ai-child-job-requested";
import { aiJobRequested } from "@/lib/inngest/events/ai-job-requested";

// The sweeper re-sends a pending job under a fresh event id (lib/ai/jobs/queue.ts); only the runners' idempotency on
// the job id keeps a job whose run exists from running twice.
describe("every function that runs a job is idempotent on the job id", () => {
  const jobEvents = new Set<string>([aiJobRequested.name, aiChildJobRequested.name, aiBatchRequested.name]);
  const runners = functions.filter((fn) => {
    const triggers = (fn.opts as { triggers?: { event?: string | { name: string } }[] }).triggers ?? [];
    return triggers.some((t) => jobEvents.has(typeof t.event === "string" ? t.event : (t.event?.name ?? "")));
  });

  it("finds the runners of plain jobs, children and fan-outs", () => {
    const ids = runners.map((fn) => fn.id());
    expect(ids).toContain("run-ai-job");
    expect(ids).toContain("run-ai-child-job");
    expect(runners.length).toBeGreaterThan(2);
  });

  it.each(runners.map((fn) => [fn.id(), fn] as const))("%s", (_id, fn) => {
    expect((fn.opts as { idempotency?: string }).idempotency).toBe("event.data.jobId");
  });
});
