import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { aiJobs, type AiJobStatus } from "@/db/ai-schema";
import { LANDING_GRACE_MS, settleFanOutParent } from "@/lib/ai/jobs/fan-out";
import { markLanded, stalePendingJobs } from "@/lib/ai/jobs/ledger";
import { useTestDb } from "../helpers/db";
import { randomId } from "../helpers/fixtures";

// A parent ends only when every child has ended *and* every succeeded child has landed (its suggestion exists).
// Without that, the first child's landing could end the revision while the last one's text was still being saved:
// the author would see "done" with a page missing its suggestion.
const t = useTestDb();

const job = (over: Partial<typeof aiJobs.$inferInsert>) => ({
  jobType: "page_text.revise" as const,
  targetType: "page",
  targetId: randomId(),
  templateKey: "page_revise",
  templateVersion: 1,
  provider: "offline",
  model: "offline",
  promptPayload: {},
  ...over,
});

async function revisionWith(children: { status: AiJobStatus; landed?: boolean; completedMsAgo?: number }[]) {
  const [parent] = await t
    .db()
    .insert(aiJobs)
    .values(
      job({ jobType: "story.revise_pages", targetType: "story", status: "running", promptPayload: { pageIds: [] } }),
    )
    .returning();
  const ids: string[] = [];
  for (const c of children) {
    const done = c.status !== "pending" && c.status !== "running";
    const [row] = await t
      .db()
      .insert(aiJobs)
      .values(
        job({
          parentJobId: parent!.id,
          status: c.status,
          outputText: c.status === "succeeded" ? "text" : null,
          errorCode: c.status === "failed" ? "GEN_TIMEOUT" : c.status === "cancelled" ? "GEN_CANCELLED" : null,
          completedAt: done ? new Date(Date.now() - (c.completedMsAgo ?? 0)) : null,
          landedAt: c.landed ? new Date() : null,
        }),
      )
      .returning({ id: aiJobs.id });
    ids.push(row!.id);
  }
  return { parentId: parent!.id, childIds: ids };
}

describe("settling a fan-out parent", () => {
  it("waits for a succeeded child to land, then ends", async () => {
    const { parentId, childIds } = await revisionWith([{ status: "succeeded", landed: true }, { status: "succeeded" }]);
    expect(await settleFanOutParent(t.db(), parentId)).toBeNull();
    const [still] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, parentId));
    expect(still!.status).toBe("running");

    await markLanded(t.db(), childIds[1]!);
    expect((await settleFanOutParent(t.db(), parentId))?.status).toBe("succeeded");
  });

  it("does not wait for failed or cancelled children to land, nor past the grace period for a lost landing", async () => {
    const ended = await revisionWith([
      { status: "succeeded", landed: true },
      { status: "failed" },
      { status: "cancelled" },
    ]);
    expect((await settleFanOutParent(t.db(), ended.parentId))?.status).toBe("succeeded");

    const lost = await revisionWith([{ status: "succeeded", completedMsAgo: LANDING_GRACE_MS + 60_000 }]);
    expect((await settleFanOutParent(t.db(), lost.parentId))?.status).toBe("succeeded");
  });

  it("still waits for running children, and marking a landing twice keeps the first time", async () => {
    const { parentId, childIds } = await revisionWith([{ status: "running" }, { status: "succeeded" }]);
    await markLanded(t.db(), childIds[1]!);
    const [first] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, childIds[1]!));
    await markLanded(t.db(), childIds[1]!);
    const [second] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, childIds[1]!));
    expect(second!.landedAt!.getTime()).toBe(first!.landedAt!.getTime());
    expect(await settleFanOutParent(t.db(), parentId)).toBeNull();
    // A running job cannot land (only succeeded ones do).
    await markLanded(t.db(), childIds[0]!);
    const [running] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, childIds[0]!));
    expect(running!.landedAt).toBeNull();
  });
});

describe("the pending-job sweeper", () => {
  it("re-sends stale top-level jobs oldest first and leaves a revision's waiting children to their parent", async () => {
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
    const { parentId } = await revisionWith([]);
    const [child] = await t
      .db()
      .insert(aiJobs)
      .values(job({ parentJobId: parentId, createdAt: minutesAgo(30) }))
      .returning();
    const [newer] = await t
      .db()
      .insert(aiJobs)
      .values(job({ createdAt: minutesAgo(5) }))
      .returning();
    const [older] = await t
      .db()
      .insert(aiJobs)
      .values(job({ createdAt: minutesAgo(10) }))
      .returning();
    const [fresh] = await t
      .db()
      .insert(aiJobs)
      .values(job({ createdAt: new Date() }))
      .returning();

    const ids = (await stalePendingJobs(t.db(), 60_000)).map((j) => j.id);
    expect(ids).not.toContain(child!.id);
    expect(ids).not.toContain(fresh!.id);
    expect(ids.indexOf(older!.id)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(older!.id)).toBeLessThan(ids.indexOf(newer!.id));
  });
});
