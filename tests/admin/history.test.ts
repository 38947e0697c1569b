import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { aiJobs, aiJobStatuses, aiJobTypes, type AiJobStatus, type AiJobType } from "@/db/ai-schema";
import {
  countJobsByStatus,
  decodeCursor,
  encodeCursor,
  historyFilterSchema,
  InvalidCursorError,
  listJobHistory,
  type HistoryFilters,
} from "@/lib/ai/jobs/history";
import { useTestDb } from "../helpers/db";
import { makeActor, randomId } from "../helpers/fixtures";

const t = useTestDb();

interface Seeded {
  id: string;
  createdAt: Date;
  status: AiJobStatus;
  jobType: AiJobType;
  scopeId: string;
  requestedBy: string;
  model: string;
  errorCode: string | null;
}

const seeded: Seeded[] = [];
let users: string[] = [];
const storiesIds = [randomId(), randomId(), randomId()];
const models = ["gpt-4o-mini", "offline", "gpt-4.1"];
const base = Date.UTC(2025, 0, 1);

/** 157 jobs over a few days; every fifth shares its created_at with the previous one (ties), some share microseconds. */
beforeAll(async () => {
  users = [(await makeActor()).id, (await makeActor()).id, (await makeActor("admin")).id];
  const values = [];
  for (let i = 0; i < 157; i++) {
    const status = aiJobStatuses[i % aiJobStatuses.length]!;
    const minute = i % 5 === 0 && i > 0 ? i - 1 : i; // ties on created_at
    const createdAt = new Date(base + minute * 37 * 60_000);
    const job: Seeded = {
      id: randomId(),
      createdAt,
      status,
      jobType: aiJobTypes[i % 2]!,
      scopeId: storiesIds[i % 3]!,
      requestedBy: users[i % users.length]!,
      model: models[i % models.length]!,
      errorCode:
        status === "failed"
          ? i % 2
            ? "GEN_TIMEOUT"
            : "GEN_RATE_LIMITED"
          : status === "cancelled"
            ? "GEN_CANCELLED"
            : null,
    };
    seeded.push(job);
    values.push({
      id: job.id,
      jobType: job.jobType,
      status: job.status,
      targetType: "page",
      targetId: randomId(),
      scopeType: "story",
      scopeId: job.scopeId,
      requestedBy: job.requestedBy,
      templateKey: "page_write",
      templateVersion: 1,
      provider: "openai",
      model: job.model,
      promptPayload: {},
      outputText: status === "succeeded" ? "text" : null,
      errorCode: job.errorCode,
      createdAt,
      completedAt: ["succeeded", "failed", "cancelled"].includes(status)
        ? new Date(createdAt.getTime() + 1000 + i)
        : null,
    });
  }
  await t.db().insert(aiJobs).values(values);
  // Two more rows whose created_at differ by microseconds only: a millisecond cursor would skip or repeat one.
  const micro = [randomId(), randomId()];
  await t
    .db()
    .execute(sql`insert into ai_jobs (id, job_type, status, target_type, target_id, template_key, template_version, provider, model, prompt_payload, created_at)
    values (${micro[0]}, 'page_text.write', 'pending', 'page', ${randomId()}, 'page_write', 1, 'openai', 'micro', '{}', '2024-06-01 00:00:00.000001+00'),
           (${micro[1]}, 'page_text.write', 'pending', 'page', ${randomId()}, 'page_write', 1, 'openai', 'micro', '{}', '2024-06-01 00:00:00.000002+00')`);
  const microDate = new Date("2024-06-01T00:00:00.000Z");
  for (const id of micro) {
    seeded.push({
      id,
      createdAt: microDate,
      status: "pending",
      jobType: "page_text.write",
      scopeId: "",
      requestedBy: "",
      model: "micro",
      errorCode: null,
    });
  }
});

function expectedOrder(rows: Seeded[]): string[] {
  // Newest first; ties broken by id descending (the micro rows: later microsecond first).
  return [...rows]
    .sort((a, b) => {
      if (a.model === "micro" && b.model === "micro") return a.id === seeded.at(-1)!.id ? -1 : 1;
      return b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
    })
    .map((r) => r.id);
}

async function allPages(filters: HistoryFilters, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await listJobHistory(t.db(), filters, { cursor, limit });
    pages += 1;
    expect(page.rows.length).toBeLessThanOrEqual(limit);
    ids.push(...page.rows.map((r) => r.id));
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
    expect(pages).toBeLessThan(500);
  }
  return { ids, pages };
}

const parse = (input: Record<string, unknown>) => historyFilterSchema.parse(input);

describe("job history", () => {
  it("walks every job exactly once, newest first, across pages with ties on created_at", async () => {
    const { ids, pages } = await allPages({}, 7);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expectedOrder(seeded));
    expect(pages).toBe(Math.ceil(seeded.length / 7));
  });

  it("keeps rows that differ by microseconds apart (the cursor keeps full precision)", async () => {
    const { ids } = await allPages(parse({ model: "micro" }), 1);
    expect(ids).toEqual([seeded.at(-1)!.id, seeded.at(-2)!.id]);
  });

  it("walks back from the oldest page to the newest with prevCursor, each page the same as on the way out", async () => {
    const limit = 7;
    const forward: string[][] = [];
    let page = await listJobHistory(t.db(), {}, { limit });
    expect(page.prevCursor).toBeNull();
    forward.push(page.rows.map((r) => r.id));
    while (page.nextCursor) {
      page = await listJobHistory(t.db(), {}, { cursor: page.nextCursor, limit });
      expect(page.prevCursor).not.toBeNull();
      forward.push(page.rows.map((r) => r.id));
    }
    const backward: string[][] = [page.rows.map((r) => r.id)];
    while (page.prevCursor) {
      page = await listJobHistory(t.db(), {}, { before: page.prevCursor, limit });
      expect(page.nextCursor).not.toBeNull();
      backward.unshift(page.rows.map((r) => r.id));
    }
    // The walk back ends on the newest page with no way further back, and the pages line up with the walk out
    // (the last page is short, so the backwards pages may be cut differently: compare the order of all ids).
    expect(page.prevCursor).toBeNull();
    expect(backward.flat()).toEqual(forward.flat());
    expect(backward[0]).toEqual(expectedOrder(seeded).slice(0, backward[0]!.length));
  });

  it("a filtered page goes back to newer rows of the same filter only", async () => {
    const filters = parse({ status: "failed" });
    const first = await listJobHistory(t.db(), filters, { limit: 3 });
    const second = await listJobHistory(t.db(), filters, { cursor: first.nextCursor!, limit: 3 });
    const back = await listJobHistory(t.db(), filters, { before: second.prevCursor!, limit: 3 });
    expect(back.rows.map((r) => r.id)).toEqual(first.rows.map((r) => r.id));
    expect(back.prevCursor).toBeNull();
    expect(back.rows.every((r) => r.status === "failed")).toBe(true);
  });

  it("uses 50 rows by default and says when there is no further page", async () => {
    const first = await listJobHistory(t.db(), {});
    expect(first.rows).toHaveLength(50);
    expect(first.nextCursor).not.toBeNull();
    const small = await listJobHistory(t.db(), parse({ model: "micro" }));
    expect(small.rows).toHaveLength(2);
    expect(small.nextCursor).toBeNull();
  });

  const cases: [string, Record<string, unknown>, (s: Seeded) => boolean][] = [
    ["status", { status: "failed" }, (s) => s.status === "failed"],
    ["job type", { jobType: "page_text.revise" }, (s) => s.jobType === "page_text.revise"],
    ["story", { scopeId: storiesIds[1] }, (s) => s.scopeId === storiesIds[1]],
    ["user", { requestedBy: "USER1" }, (s) => s.requestedBy === users[1]],
    ["model", { model: "gpt-4.1" }, (s) => s.model === "gpt-4.1"],
    ["error code", { errorCode: "GEN_TIMEOUT" }, (s) => s.errorCode === "GEN_TIMEOUT"],
    [
      "date range [from, to)",
      { from: new Date(base + 37 * 60_000 * 10).toISOString(), to: new Date(base + 37 * 60_000 * 40).toISOString() },
      (s) => s.createdAt.getTime() >= base + 37 * 60_000 * 10 && s.createdAt.getTime() < base + 37 * 60_000 * 40,
    ],
    [
      "status + model + story",
      { status: "succeeded", model: "offline", scopeId: storiesIds[1] },
      (s) => s.status === "succeeded" && s.model === "offline" && s.scopeId === storiesIds[1],
    ],
    ["blank fields mean no filter", { status: "", model: "", from: "" }, () => true],
  ];
  it.each(cases)("filters by %s", async (_name, raw, predicate) => {
    const input = { ...raw, requestedBy: raw.requestedBy === "USER1" ? users[1] : raw.requestedBy };
    const filters = parse(input);
    const { ids } = await allPages(filters, 11);
    const expected = expectedOrder(seeded.filter(predicate));
    expect(expected.length).toBeGreaterThan(0);
    expect(ids).toEqual(expected);
  });

  it("finds one job by its exact id", async () => {
    const target = seeded[42]!;
    const page = await listJobHistory(t.db(), parse({ jobId: target.id }));
    expect(page.rows.map((r) => r.id)).toEqual([target.id]);
  });

  it("refuses a search that is not a job id, and bad filters, with a message", () => {
    const result = historyFilterSchema.safeParse({ jobId: "lighthouse" });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.message).toMatch(/job id/i);
    expect(historyFilterSchema.safeParse({ status: "exploded" }).success).toBe(false);
    expect(historyFilterSchema.safeParse({ from: "not a date" }).success).toBe(false);
    expect(historyFilterSchema.safeParse({ from: "2025-02-01", to: "2025-01-01" }).success).toBe(false);
  });

  it("counts per status for the same filters, ignoring the status filter", async () => {
    const counts = await countJobsByStatus(t.db(), parse({ model: "gpt-4o-mini", status: "failed" }));
    const matching = seeded.filter((s) => s.model === "gpt-4o-mini");
    for (const status of aiJobStatuses) {
      expect(counts[status], status).toBe(matching.filter((s) => s.status === status).length);
    }
    expect(counts.total).toBe(matching.length);
    const all = await countJobsByStatus(t.db(), {});
    expect(all.total).toBe(seeded.length);
  });

  it("round-trips cursors and rejects forged ones", () => {
    const cursor = { createdAt: "2025-01-01 10:00:00.123456+00", id: "0b6f2c1e-8d4a-4f7e-9a51-3c2d1e0f9a8b" };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(() => decodeCursor("bm9wZQ")).toThrow(InvalidCursorError);
    expect(() => decodeCursor(Buffer.from("2025-01-01|'; drop table ai_jobs").toString("base64url"))).toThrow(
      InvalidCursorError,
    );
    for (const impossible of [
      "9999-99-99 99:99:99",
      "2025-02-30 10:00:00",
      "2025-01-01 24:00:00",
      "2025-01-01 10:00:00+99",
    ]) {
      const forged = Buffer.from(`${impossible}|${cursor.id}`).toString("base64url");
      expect(() => decodeCursor(forged), impossible).toThrow(InvalidCursorError);
    }
  });

  it("refuses dates PostgreSQL cannot store as a validation error, not a crash", () => {
    const far = historyFilterSchema.safeParse({ from: "99999" });
    expect(far.success).toBe(false);
    expect(far.error?.issues[0]?.message).toBe("Use a date between 1970 and 9999.");
    expect(historyFilterSchema.safeParse({ from: "2025-01-31" }).success).toBe(true);
  });
});
