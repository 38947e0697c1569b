import { sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { ledgerHealth } from "@/lib/ai";
import { createEmbeddedEngine } from "@/lib/inngest/embedded";
import { useTestDb } from "../helpers/db";
import { makeActor } from "../helpers/fixtures";

vi.mock("@/lib/auth", () => ({ currentActor: vi.fn(async () => null) }));

const { checkReadiness, engineFindings, getAdminHealth, modelFindings, stuckFindings } = await import(
  "@/lib/stories/health"
);
const liveness = await import("@/app/api/health/route");
const readiness = await import("@/app/api/health/ready/route");

const t = useTestDb();

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);

async function job(values: Partial<typeof aiJobs.$inferInsert>) {
  const [row] = await t
    .db()
    .insert(aiJobs)
    .values({
      jobType: "page_text.revise",
      targetType: "page",
      targetId: crypto.randomUUID(),
      templateKey: "page_revise",
      templateVersion: 1,
      provider: "openai",
      model: "health-model",
      promptPayload: {},
      ...values,
    })
    .returning();
  return row!;
}

describe("ledger health", () => {
  it("counts the last hour's calls per model with error rate and latency; cancels are not errors", async () => {
    const started = minutesAgo(10);
    for (const ms of [1000, 2000, 3000]) {
      await job({
        status: "succeeded",
        outputText: "text",
        startedAt: started,
        completedAt: new Date(started.getTime() + ms),
      });
    }
    await job({ status: "failed", errorCode: "GEN_PROVIDER_ERROR", startedAt: started, completedAt: minutesAgo(5) });
    await job({ status: "failed", errorCode: "CANCELLED", startedAt: started, completedAt: minutesAgo(5) });
    // Outside the window, and a job that never called the model: neither counts.
    await job({
      status: "failed",
      errorCode: "GEN_PROVIDER_ERROR",
      createdAt: minutesAgo(120),
      startedAt: minutesAgo(120),
    });
    await job({ status: "cancelled" });

    const health = await ledgerHealth(t.db());
    const model = health.models.find((m) => m.model === "health-model");
    expect(model).toMatchObject({
      provider: "openai",
      calls: 5,
      succeeded: 3,
      failed: 1,
      errorRate: 0.2,
      lastErrorCode: "GEN_PROVIDER_ERROR",
    });
    expect(model!.p50Ms).toBeCloseTo(2000, -1);
    expect(model!.p95Ms).toBeGreaterThan(2800);
  });

  it("reports a silent running job and a long-pending one, oldest first, and the pending backlog", async () => {
    const silent = await job({ status: "running", startedAt: minutesAgo(30), updatedAt: minutesAgo(20) });
    const waiting = await job({ status: "pending", createdAt: minutesAgo(15) });
    const fresh = await job({ status: "running", startedAt: minutesAgo(1), updatedAt: new Date() });
    const recent = await job({ status: "pending" });

    const health = await ledgerHealth(t.db());
    const ids = health.stuck.map((s) => s.id);
    expect(ids).toContain(silent.id);
    expect(ids).toContain(waiting.id);
    expect(ids).not.toContain(fresh.id);
    expect(ids).not.toContain(recent.id);
    expect(health.stuck.find((s) => s.id === silent.id)).toMatchObject({ reason: "running_silent" });
    expect(health.stuck.find((s) => s.id === waiting.id)).toMatchObject({ reason: "pending_long" });
    expect(health.pending).toBeGreaterThanOrEqual(2);
    expect(health.oldestPendingMs).toBeGreaterThanOrEqual(14 * 60_000);

    const findings = stuckFindings(health.stuck);
    expect(findings.find((f) => f.jobId === silent.id)).toMatchObject({ level: "problem" });
    expect(findings.find((f) => f.jobId === waiting.id)?.action).toMatch(/concurrency|budget|engine/);
  });
});

describe("findings", () => {
  const model = {
    provider: "openai",
    model: "m",
    calls: 10,
    succeeded: 0,
    failed: 10,
    errorRate: 1,
    p50Ms: null,
    p95Ms: null,
    lastErrorCode: "GEN_PROVIDER_ERROR",
    lastErrorAt: new Date(),
  };

  it("flags a model that fails often, not one with too few calls to tell", () => {
    expect(modelFindings([model])).toEqual([
      expect.objectContaining({ level: "problem", subject: "openai / m", what: expect.stringContaining("100%") }),
    ]);
    expect(modelFindings([{ ...model, succeeded: 7, failed: 3, errorRate: 0.3 }])[0]?.level).toBe("warning");
    expect(modelFindings([{ ...model, calls: 2, failed: 2 }])).toEqual([]);
    expect(modelFindings([{ ...model, succeeded: 9, failed: 1, errorRate: 0.1 }])).toEqual([]);
  });

  it("flags an engine that is not running or falls behind", () => {
    const backlog = { due: 40, parked: 0, leased: 4, lagMs: 45_000, instances: [] };
    expect(engineFindings({ ok: false, mode: "embedded", message: "not running", backlog: null })).toEqual([
      expect.objectContaining({ level: "problem", subject: "engine" }),
    ]);
    expect(engineFindings({ ok: true, mode: "embedded", message: "running", backlog })).toEqual([
      expect.objectContaining({ level: "warning", what: expect.stringContaining("45 s") }),
    ]);
    expect(
      engineFindings({ ok: true, mode: "embedded", message: "running", backlog: { ...backlog, lagMs: 100 } }),
    ).toEqual([]);
  });
});

describe("engine backlog", () => {
  it("reports due, parked and leased queue items and the oldest due item's wait", async () => {
    const engine = createEmbeddedEngine({ db: t.db() as never });
    const empty = await engine.query.backlog();
    expect(empty).toMatchObject({ due: 0, lagMs: 0 });
    const runId = `run-${crypto.randomUUID()}`;
    await t.db().execute(sql`insert into inngest_runs (id, function_id, event, status)
      values (${runId}, 'health-fn', '{}'::jsonb, 'running')`);
    await t.db().execute(sql`insert into inngest_queue (run_id, kind, step_id, available_at) values
      (${runId}, 'call', 'a', now() - interval '90 seconds'),
      (${runId}, 'call', 'b', now() + interval '1 hour')`);
    await t.db().execute(sql`insert into inngest_queue (run_id, kind, step_id, available_at, parked_on) values
      (${runId}, 'call', 'c', now(), 'key')`);
    await t.db().execute(sql`insert into inngest_queue (run_id, kind, step_id, available_at, lease_until, lease_owner)
      values (${runId}, 'call', 'd', now(), now() + interval '30 seconds', 'me')`);
    const backlog = await engine.query.backlog();
    expect(backlog).toMatchObject({ due: 1, parked: 1, leased: 1 });
    expect(backlog.lagMs).toBeGreaterThanOrEqual(89_000);
  });
});

describe("health routes", () => {
  it("liveness answers without touching anything", async () => {
    const response = liveness.GET();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("readiness is 503 without a running engine and says which check failed, with counts only", async () => {
    const response = await readiness.GET();
    expect(response.status).toBe(503);
    const body = await response.json();
    expect(body).toMatchObject({
      status: "unavailable",
      database: { ok: true },
      engine: { ok: false, mode: "embedded" },
      queue: { ok: true },
    });
    expect(JSON.stringify(body)).not.toMatch(/health-model|@/);
  });

  it("readiness is 200 when the engine runs in this process", async () => {
    const { claimProcessEngine, releaseProcessEngine } = await import("@/lib/inngest/embedded/process-engine");
    const fake = { keys: undefined, status: { running: true, synced: true, inflight: 0 }, fetch: fetch };
    claimProcessEngine(fake);
    try {
      const ready = await checkReadiness();
      expect(ready).toMatchObject({ ready: true, checks: { engine: { ok: true } } });
    } finally {
      releaseProcessEngine(fake);
    }
  });

  it("the admin view refuses anyone but an admin", async () => {
    const author = await makeActor();
    await expect(getAdminHealth(null)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    await expect(getAdminHealth(author)).rejects.toMatchObject({ code: "NOT_FOUND" });
    const admin = await makeActor("admin");
    const health = await getAdminHealth(admin);
    expect(health.engine.backlog).not.toBeNull();
    expect(health.findings.some((f) => f.subject === "engine" && f.level === "problem")).toBe(true);
  });
});
