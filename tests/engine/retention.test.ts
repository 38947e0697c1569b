import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { RunDetail } from "@/lib/inngest/embedded";
import { sweepRetention } from "@/lib/inngest/embedded/testing";
import { countRows, DAY, exists, seedEvent, seedRun } from "../helpers/engine-rows";
import { useTestDb } from "../helpers/db";

// Retention on rows of chosen ages (tests/helpers/engine-rows.ts): finished runs past the retention period go with
// their steps, calls and queue items, in transactions of at most batchSize runs; live runs and recent ones stay;
// events stay at least 24 hours; the hook sees every batch before it is deleted, and its failure deletes nothing.

const t = useTestDb();
const db = () => t.db();
const MONTH = 30 * DAY;

beforeEach(async () => {
  await db().execute(
    sql`truncate inngest_events, inngest_runs, inngest_steps, inngest_attempts, inngest_queue cascade`,
  );
});

describe("retention sweep", () => {
  it("purges old finished runs with their steps, calls and queue items in batches of batchSize", async () => {
    const old = [];
    for (const status of ["completed", "failed", "cancelled", "completed", "completed"] as const)
      old.push(await seedRun(db(), { ageMs: 40 * DAY, status }));
    const batches: number[] = [];
    const result = await sweepRetention(db(), {
      retentionMs: MONTH,
      batchSize: 2,
      pauseMs: 0,
      beforePurge: async (runs) => void batches.push(runs.length),
    });
    expect(batches).toEqual([2, 2, 1]);
    expect(result).toMatchObject({ runs: 5, steps: 10, attempts: 10, queueItems: 5, events: 5, skipped: false });
    expect(await countRows(db())).toEqual({ runs: 0, steps: 0, attempts: 0, queue: 0, events: 0 });
    for (const { runId } of old) expect(await exists(db(), "inngest_runs", runId)).toBe(false);
  });

  it("keeps live runs (queued, running, sleeping) however old, and finished runs inside the period", async () => {
    const running = await seedRun(db(), { ageMs: 90 * DAY, status: "running" });
    const queued = await seedRun(db(), { ageMs: 90 * DAY, status: "queued" });
    const recent = await seedRun(db(), { ageMs: 29 * DAY, status: "completed" });
    const gone = await seedRun(db(), { ageMs: 31 * DAY, status: "completed" });
    const result = await sweepRetention(db(), { retentionMs: MONTH, batchSize: 10, pauseMs: 0 });
    expect(result.runs).toBe(1);
    for (const kept of [running, queued, recent]) {
      expect(await exists(db(), "inngest_runs", kept.runId)).toBe(true);
      expect(await exists(db(), "inngest_events", kept.eventId)).toBe(true);
    }
    expect(await exists(db(), "inngest_runs", gone.runId)).toBe(false);
    expect(await exists(db(), "inngest_events", gone.eventId)).toBe(false);
    // The live runs keep every step, call and queue item (the sleeping step's wake included).
    expect(await countRows(db())).toEqual({ runs: 3, steps: 6, attempts: 6, queue: 3, events: 3 });
  });

  it("moves past a batch of events all kept for their live runs", async () => {
    for (let i = 0; i < 3; i++) await seedRun(db(), { ageMs: 90 * DAY, status: "running" });
    const gone = [await seedRun(db(), { ageMs: 40 * DAY }), await seedRun(db(), { ageMs: 40 * DAY })];
    const result = await sweepRetention(db(), { retentionMs: MONTH, batchSize: 2, pauseMs: 0 });
    expect(result).toMatchObject({ runs: 2, events: 2 });
    for (const { eventId } of gone) expect(await exists(db(), "inngest_events", eventId)).toBe(false);
    expect((await countRows(db())).events).toBe(3);
  });

  it("keeps events of the last 24 hours even when retention is shorter", async () => {
    const sixHours = DAY / 4;
    const inWindow = await seedEvent(db(), 12 * 3_600_000);
    const pastWindow = await seedEvent(db(), 30 * 3_600_000);
    const run = await seedRun(db(), { ageMs: 12 * 3_600_000, status: "completed" });
    const result = await sweepRetention(db(), { retentionMs: sixHours, batchSize: 10, pauseMs: 0 });
    // The run follows the retention period; its event, like every event, the duplicate-event window.
    expect(await exists(db(), "inngest_runs", run.runId)).toBe(false);
    expect(await exists(db(), "inngest_events", run.eventId)).toBe(true);
    expect(await exists(db(), "inngest_events", inWindow)).toBe(true);
    expect(await exists(db(), "inngest_events", pastWindow)).toBe(false);
    expect(result).toMatchObject({ runs: 1, events: 1 });
  });

  it("does nothing when retention is off", async () => {
    await seedRun(db(), { ageMs: 400 * DAY });
    await seedEvent(db(), 400 * DAY);
    expect(await sweepRetention(db(), { retentionMs: 0 })).toMatchObject({ runs: 0, events: 0, batches: 0 });
    expect(await countRows(db())).toMatchObject({ runs: 1, events: 2 });
  });

  it("hands each batch to beforePurge, with steps and calls, while the rows still exist", async () => {
    const { runId } = await seedRun(db(), { ageMs: 40 * DAY, status: "failed", data: { jobId: "j" } });
    const seen: { details: RunDetail[]; stillThere: boolean }[] = [];
    await sweepRetention(db(), {
      retentionMs: MONTH,
      pauseMs: 0,
      beforePurge: async (runs, tx) => {
        const found = await tx.execute(sql`select 1 from inngest_steps where run_id = ${runId}`);
        const rows = Array.isArray(found) ? found : (found as { rows: unknown[] }).rows;
        seen.push({ details: runs, stillThere: rows.length === 2 });
      },
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.stillThere).toBe(true);
    const [detail] = seen[0]!.details;
    expect(detail!.run).toMatchObject({ id: runId, status: "failed", event: { data: { jobId: "j" } } });
    expect(detail!.steps.map((s) => [s.name, s.attempts, s.endedAt instanceof Date])).toEqual([
      ["first", 0, true],
      ["second", 1, true],
    ]);
    expect(detail!.attempts.map((a) => a.stepId)).toEqual(["step-first", "step-second"]);
  });

  it("deletes nothing of a batch whose beforePurge failed, and stops there", async () => {
    for (let i = 0; i < 3; i++) await seedRun(db(), { ageMs: 40 * DAY });
    const before = await countRows(db());
    let calls = 0;
    await expect(
      sweepRetention(db(), {
        retentionMs: MONTH,
        batchSize: 2,
        pauseMs: 0,
        beforePurge: async (_runs, tx) => {
          calls++;
          // A copy written before the failure is rolled back with the batch.
          await tx.execute(sql`delete from inngest_attempts`);
          throw new Error("ledger unavailable");
        },
      }),
    ).rejects.toThrow("ledger unavailable");
    expect(calls).toBe(1);
    expect(await countRows(db())).toEqual(before);
  });
});
