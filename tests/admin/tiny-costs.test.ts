import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { markSucceeded } from "@/lib/ai/jobs/ledger";
import { combineSections } from "@/lib/ai/job-types/sections";
import { costUsd } from "@/lib/ai/pricing";
import { getAdminUsage } from "@/lib/stories";
import { formatUsd } from "@/lib/ui/admin-format";
import { useTestDb } from "../helpers/db";
import { makeActor, randomId } from "../helpers/fixtures";

/**
 * Costs far below a cent: the usage fixtures elsewhere are whole thousandths of a dollar, which hid that a small job
 * could be priced, stored or shown as $0. A 27-token answer of gpt-4o costs $0.00027; five input tokens of
 * gpt-5-nano cost $0.00000025, below the micro-dollar the ledger used to keep.
 */
const t = useTestDb();

const DAY = new Date(Date.UTC(2025, 5, 10, 12));

async function finishedJob(model: string, usage: { inputTokens: number; outputTokens: number }, by: string) {
  const [job] = await t
    .db()
    .insert(aiJobs)
    .values({
      jobType: "page_text.write",
      status: "running",
      targetType: "page",
      targetId: randomId(),
      requestedBy: by,
      templateKey: "page_write",
      templateVersion: 1,
      provider: "openai",
      model,
      promptPayload: {},
      createdAt: DAY,
    })
    .returning({ id: aiJobs.id });
  // The same write as finish: the price computed from the usage, stored by markSucceeded.
  await markSucceeded(t.db(), job!.id, { text: "x", ...usage, costUsd: costUsd(model, usage), firstTokenAt: null });
  const [row] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, job!.id));
  return row!;
}

describe("costs smaller than a cent", () => {
  it("are priced exactly", () => {
    expect(costUsd("gpt-4o", { inputTokens: 0, outputTokens: 27 })).toBe(0.00027);
    expect(costUsd("gpt-5-nano", { inputTokens: 5, outputTokens: 0 })).toBe(0.00000025);
    expect(costUsd("gpt-5-nano", { inputTokens: 27, outputTokens: 0 })).toBe(0.00000135);
  });

  it("are stored as they were priced, and summed and shown in the admin usage without rounding to $0", async () => {
    const admin = await makeActor("admin");
    const author = await makeActor();
    const small = await finishedJob("gpt-4o", { inputTokens: 0, outputTokens: 27 }, author.id);
    const tiny = await finishedJob("gpt-5-nano", { inputTokens: 5, outputTokens: 0 }, author.id);
    expect(Number(small.costUsd)).toBe(0.00027);
    expect(Number(tiny.costUsd)).toBe(0.00000025);
    // The job list and the job detail render the stored value.
    expect(formatUsd(small.costUsd)).toBe("$0.00027");
    expect(formatUsd(tiny.costUsd)).toBe("$0.00000025");

    const usage = await getAdminUsage(admin, { from: "2025-06-10", to: "2025-06-11" });
    expect(usage.totals.costUsd).toBeCloseTo(0.00027025, 12);
    expect(formatUsd(usage.totals.costUsd)).toBe("$0.00027025");
    const perModel = new Map(usage.models.map((m) => [m.key, m.costUsd]));
    expect(perModel.get("gpt-4o")).toBeCloseTo(0.00027, 12);
    expect(perModel.get("gpt-5-nano")).toBeCloseTo(0.00000025, 12);
    expect(formatUsd(perModel.get("gpt-5-nano"))).toBe("$0.00000025");
    expect(usage.users.find((u) => u.key === author.id)?.costUsd).toBeCloseTo(0.00027025, 12);
  });

  it("a sectioned job sums its sections' tiny costs before rounding", () => {
    const section = { text: "a", inputTokens: 5, outputTokens: 0, costUsd: 0.00000025, firstTokenAt: null };
    expect(combineSections([section, section, section]).costUsd).toBeCloseTo(0.00000075, 12);
  });

  it("render as people read them: cents from a cent up, significant digits below", () => {
    expect(formatUsd(0)).toBe("$0.00");
    expect(formatUsd(0.5)).toBe("$0.50");
    expect(formatUsd(12.345)).toBe("$12.35");
    expect(formatUsd("0.0100000000")).toBe("$0.01");
    expect(formatUsd(0.005)).toBe("$0.005");
    expect(formatUsd("0.0000040000")).toBe("$0.000004");
    expect(formatUsd(null)).toBe("—");
  });
});
