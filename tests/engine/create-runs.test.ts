import { asc, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { FunctionDef } from "@/lib/inngest/embedded/function-config";
import { createRuns } from "@/lib/inngest/embedded/runs";
import type { EngineDb } from "@/lib/inngest/embedded/sql";
import { compileExpression, inngestQueue, inngestRuns } from "@/lib/inngest/embedded/testing";
import { statementCountingDb } from "../helpers/counting-db";
import { useTestDb } from "../helpers/db";

// createRuns sends its runs as one JSON value per statement: what goes in must come out as it was, in order, and a
// batch too large for one value is split.
const fn: FunctionDef = {
  id: "create-runs",
  name: "create-runs",
  appId: "test",
  url: "http://127.0.0.1/api/inngest",
  retries: 0,
  eventTriggers: [{ event: "test/create-runs" }],
  crons: [],
  concurrency: [{ limit: 3 }, { limit: 1, key: compileExpression("event.data.who") }],
  cancel: [],
  config: {},
};

const testDb = useTestDb();
const now = new Date("2026-12-04T10:00:00.123Z");
const event = (n: number, data: Record<string, unknown> = {}) => ({
  name: "test/create-runs",
  id: `e-${n}`,
  ts: now.getTime(),
  data: { n, who: `w${n % 2}`, ...data },
});

describe("embedded engine: creating runs together", () => {
  it("stores each run's event, keys, parent and time as given, its first call after it, in the order asked", async () => {
    const db = testDb.db() as unknown as EngineDb;
    const odd = {
      text: 'quote " backslash \\ brace { comma , "NULL" emoji 🌊 line\u2028sep tab\tnew\nline',
      nested: [1, -0, 1e21, 0.30000000000000004, null, { deep: true }],
    };
    const ids = await db.transaction((tx) =>
      createRuns(tx, [
        { fn, now, event: event(1, odd), eventId: "evt-1" },
        { fn, now, event: event(2), parent: { runId: "parent-run", stepId: "step-a" } },
        { fn, now, event: event(3), id: "chosen-id" },
      ]),
    );
    expect(ids[2]).toBe("chosen-id");
    const runs = await db.select().from(inngestRuns).where(inArray(inngestRuns.id, ids));
    const byId = new Map(runs.map((r) => [r.id, r]));
    expect(byId.get(ids[0]!)).toMatchObject({
      functionId: "create-runs",
      status: "queued",
      event: JSON.parse(JSON.stringify(event(1, odd))),
      eventId: "evt-1",
      concurrencyKeys: ["create-runs:0", 'create-runs:1:"w1"'],
      concurrencyLimits: [3, 1],
      parentRunId: null,
      createdAt: now,
    });
    expect(byId.get(ids[1]!)).toMatchObject({ parentRunId: "parent-run", parentStepId: "step-a", eventId: null });
    const items = await db
      .select()
      .from(inngestQueue)
      .where(inArray(inngestQueue.runId, ids))
      .orderBy(asc(inngestQueue.id));
    expect(items.map((i) => i.runId)).toEqual(ids);
    expect(
      items.every((i) => i.kind === "call" && i.stepId === null && i.availableAt.getTime() === now.getTime()),
    ).toBe(true);
    expect(items[0]!.concurrencyKeys).toEqual(["create-runs:0", 'create-runs:1:"w1"']);
  });

  it.skipIf(!process.env.DATABASE_URL)(
    "splits a batch whose JSON would pass 32 MB into more statements, losing no run",
    async () => {
      const { db: counting, statements } = statementCountingDb(testDb.handle());
      const big = "x".repeat(3 * 1024 * 1024);
      // Eleven events of 3 MB: 33 MB in all, so two statements although there are far fewer than 1,000 runs.
      const ids = await (counting as unknown as EngineDb).transaction((tx) =>
        createRuns(
          tx,
          Array.from({ length: 11 }, (_v, i) => ({ fn, now, event: event(100 + i, { big }) })),
        ),
      );
      expect(statements.filter((s) => s.includes("jsonb_to_recordset"))).toHaveLength(2);
      const db = testDb.db() as unknown as EngineDb;
      const stored = await db.select({ id: inngestRuns.id }).from(inngestRuns).where(inArray(inngestRuns.id, ids));
      expect(stored).toHaveLength(11);
      const [last] = await db.select().from(inngestRuns).where(eq(inngestRuns.id, ids[10]!));
      expect((last!.event as { data: { big: string } }).data.big.length).toBe(big.length);
    },
    60_000,
  );
});
