import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { createChildJobs, listChildren } from "@/lib/ai/jobs/fan-out";
import { statementCountingDb } from "../helpers/counting-db";
import { useTestDb } from "../helpers/db";
import { randomId } from "../helpers/fixtures";

/**
 * A fan-out (Summarize all, a revision, a translation) creates its children in a handful of statements however many
 * pages it covers — Summarize all on 1,000 pages made 3,000 round trips, one after another, before its first summary
 * could start — with each child's outcome as it was one by one: created once, found again by a repeated step, and a
 * page busy with a job of its own (the author pressed Generate) left alone, even when that job starts meanwhile.
 */
const t = useTestDb();

const countingDb = () => statementCountingDb(t.handle());

const fields = {
  templateKey: "page_summarize",
  templateVersion: 1,
  provider: "offline",
  model: "offline",
  instruction: "",
  contextLeftOut: [],
  baseVersion: 1,
  requestedBy: null,
};

async function parent(): Promise<string> {
  const [row] = await t
    .db()
    .insert(aiJobs)
    .values({
      ...fields,
      jobType: "story.summarize_pages",
      targetType: "story",
      targetId: randomId(),
      promptPayload: {},
    })
    .returning({ id: aiJobs.id });
  return row!.id;
}

const child = (targetId: string) => ({
  ...fields,
  jobType: "page.summarize" as const,
  targetType: "page",
  targetId,
  promptPayload: { page: targetId },
});

const pages = (n: number) => Array.from({ length: n }, () => randomId());

describe("a fan-out's children", () => {
  it("are created with as many statements for 60 pages as for 6, in the plan's order", async () => {
    const small = countingDb();
    const smallParent = await parent();
    const smallPages = pages(6);
    const smallOutcomes = await createChildJobs(small.db, smallParent, smallPages.map(child));
    expect(smallOutcomes.map((o) => o.outcome)).toEqual(smallPages.map(() => "created"));

    const large = countingDb();
    const largeParent = await parent();
    const largePages = pages(60);
    const outcomes = await createChildJobs(large.db, largeParent, largePages.map(child));
    expect(large.statements.length).toBe(small.statements.length);
    expect(outcomes.map((o) => [o.outcome, o.job.targetId, o.job.parentJobId, o.job.status])).toEqual(
      largePages.map((id) => ["created", id, largeParent, "pending"]),
    );
    expect((outcomes[7]!.job.promptPayload as { page: string }).page).toBe(largePages[7]);
    // Listed as the plan made them, which is how a revision's progress lists its pages.
    expect((await listChildren(t.db(), largeParent)).map((c) => c.targetId)).toEqual(largePages);
  });

  it("past 100 children, take one more set of statements and keep the plan's order across the sets", async () => {
    const small = countingDb();
    await createChildJobs(small.db, await parent(), pages(3).map(child));
    const large = countingDb();
    const id = await parent();
    const targets = pages(101);
    const outcomes = await createChildJobs(large.db, id, targets.map(child));
    expect(large.statements.length).toBe(2 * small.statements.length);
    expect(outcomes.every((o) => o.outcome === "created")).toBe(true);
    expect((await listChildren(t.db(), id)).map((c) => c.targetId)).toEqual(targets);
  });

  it("are found again, not made twice, when the step runs again", async () => {
    const id = await parent();
    const targets = pages(8);
    const first = await createChildJobs(t.db(), id, targets.map(child));
    const again = await createChildJobs(t.db(), id, targets.map(child));
    expect(again.map((o) => o.outcome)).toEqual(targets.map(() => "existing"));
    expect(again.map((o) => o.job.id)).toEqual(first.map((o) => o.job.id));
    expect(await listChildren(t.db(), id)).toHaveLength(8);
  });

  it("leave a page busy with a job of its own alone, and run on a page whose own job has ended", async () => {
    const id = await parent();
    const [busyPage, endedPage, freePage] = pages(3) as [string, string, string];
    const [own] = await t
      .db()
      .insert(aiJobs)
      .values({ ...child(busyPage), jobType: "page_text.write", status: "running" })
      .returning();
    await t
      .db()
      .insert(aiJobs)
      .values({ ...child(endedPage), jobType: "page_text.write", status: "succeeded", outputText: "done" });

    const outcomes = await createChildJobs(t.db(), id, [child(busyPage), child(endedPage), child(freePage)]);
    expect(outcomes.map((o) => o.outcome)).toEqual(["busy", "created", "created"]);
    expect(outcomes[0]!.job.id).toBe(own!.id);
    expect((await listChildren(t.db(), id)).map((c) => c.targetId)).toEqual([endedPage, freePage]);
  });

  it("are made once for a target listed twice, and per kind of target on the same page", async () => {
    const id = await parent();
    const [twice, shared] = pages(2) as [string, string];
    // The page is busy with Generate; a child of another kind on the same page is not held up by it.
    await t
      .db()
      .insert(aiJobs)
      .values({ ...child(shared), jobType: "page_text.write", status: "running" });
    const otherKind = { ...child(shared), targetType: "page_take" };
    const outcomes = await createChildJobs(t.db(), id, [child(twice), child(twice), child(shared), otherKind]);
    expect(outcomes.map((o) => o.outcome)).toEqual(["created", "existing", "busy", "created"]);
    expect(outcomes[1]!.job.id).toBe(outcomes[0]!.job.id);
    expect(outcomes[3]!.job).toMatchObject({ targetType: "page_take", targetId: shared, parentJobId: id });
    expect((await listChildren(t.db(), id)).map((c) => [c.targetType, c.targetId])).toEqual([
      ["page", twice],
      ["page_take", shared],
    ]);
  });

  it("leave alone a page whose own job starts between the reads and the insert", async () => {
    const id = await parent();
    const [racedPage, otherPage] = pages(2) as [string, string];
    // The author's Generate lands just before the children's insert: a trigger starts it as the insert begins.
    await t.db().execute(
      sql.raw(`
        create function race_generate() returns trigger language plpgsql as $$
        begin
          if new.target_id = '${racedPage}' and new.parent_job_id is not null then
            insert into ai_jobs (job_type, target_type, target_id, template_key, template_version, provider, model,
              prompt_payload, status)
            values ('page_text.write', 'page', new.target_id, 'page_write', 1, 'offline', 'offline', '{}', 'running');
          end if;
          return new;
        end $$`),
    );
    try {
      await t
        .db()
        .execute(
          sql.raw(
            `create trigger race_generate before insert on ai_jobs for each row execute function race_generate()`,
          ),
        );
      const outcomes = await createChildJobs(t.db(), id, [child(racedPage), child(otherPage)]);
      expect(outcomes.map((o) => o.outcome)).toEqual(["busy", "created"]);
      expect(outcomes[0]!.job.parentJobId).toBeNull();
      expect(outcomes[0]!.job.jobType).toBe("page_text.write");
    } finally {
      await t.db().execute(sql.raw("drop trigger if exists race_generate on ai_jobs"));
      await t.db().execute(sql.raw("drop function race_generate()"));
    }
    const active = await t.db().select().from(aiJobs).where(eq(aiJobs.targetId, racedPage));
    expect(active).toHaveLength(1);
    expect((await listChildren(t.db(), id)).map((c) => c.targetId)).toEqual([otherPage]);
  });
});
