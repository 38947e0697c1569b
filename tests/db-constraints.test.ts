import { and, asc, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { pageRevisions, pages, stories, users } from "@/db/schema";
import { limits, movePage } from "@/lib/stories";
import { useTestDb } from "./helpers/db";
import { expectSqlState, makeActor, makeAiJob, makeStory, randomId, rowCounts } from "./helpers/fixtures";

/**
 * The database is the last line of defence: these rows go straight in with drizzle, past the domain's validation,
 * and must still be refused.
 */
const { db } = useTestDb();

let ownerId: string;
let storyId: string;
let pageId: string;

beforeAll(async () => {
  const [owner] = await db()
    .insert(users)
    .values({ email: "Owner@Example.com", name: "Owner", passwordHash: "h" })
    .returning();
  ownerId = owner!.id;
  const [story] = await db().insert(stories).values({ ownerId, title: "Base" }).returning();
  storyId = story!.id;
  const [page] = await db().insert(pages).values({ storyId, position: "a0", content: "x" }).returning();
  pageId = page!.id;
});

describe("users", () => {
  it("refuses an email that differs from an existing one only in case", async () => {
    await expectSqlState(
      db().insert(users).values({ email: "owner@EXAMPLE.COM", name: "Twin", passwordHash: "h" }),
      "23505",
      "users_email_lower_key",
    );
  });

  it("refuses an unknown role", async () => {
    await expectSqlState(
      db()
        .insert(users)
        .values({ email: "role@example.com", name: "R", passwordHash: "h", role: "superuser" as never }),
      "23514",
      "users_role_check",
    );
  });

  it("refuses an email without a local part before @", async () => {
    await expectSqlState(
      db().insert(users).values({ email: "@example.com", name: "E", passwordHash: "h" }),
      "23514",
      "users_email_check",
    );
  });

  it("defaults the role to author", async () => {
    const [row] = await db()
      .insert(users)
      .values({ email: "default-role@example.com", name: "D", passwordHash: "h" })
      .returning();
    expect(row!.role).toBe("author");
  });
});

describe("stories", () => {
  it("accepts a title of exactly the limit and refuses one character more", async () => {
    await db()
      .insert(stories)
      .values({ ownerId, title: "t".repeat(limits.titleMax) });
    await expectSqlState(
      db()
        .insert(stories)
        .values({ ownerId, title: "t".repeat(limits.titleMax + 1) }),
      "23514",
      "stories_title_check",
    );
  });

  it("refuses an empty title", async () => {
    await expectSqlState(db().insert(stories).values({ ownerId, title: "" }), "23514", "stories_title_check");
  });

  it("refuses an over-long description and a malformed language tag", async () => {
    await expectSqlState(
      db()
        .insert(stories)
        .values({ ownerId, title: "D", description: "d".repeat(limits.descriptionMax + 1) }),
      "23514",
      "stories_description_check",
    );
    await expectSqlState(
      db().insert(stories).values({ ownerId, title: "L", language: "English" }),
      "23514",
      "stories_language_check",
    );
  });

  it("refuses a story whose owner does not exist", async () => {
    await expectSqlState(db().insert(stories).values({ ownerId: randomId(), title: "Ghost" }), "23503");
  });
});

describe("pages", () => {
  it("accepts content of exactly the limit and refuses 100,001 characters", async () => {
    await db()
      .insert(pages)
      .values({ storyId, position: "b0", content: "x".repeat(limits.pageMax) });
    await expectSqlState(
      db()
        .insert(pages)
        .values({ storyId, position: "b1", content: "x".repeat(limits.pageMax + 1) }),
      "23514",
      "pages_content_check",
    );
    await expectSqlState(
      db()
        .update(pages)
        .set({ content: "y".repeat(limits.pageMax + 1) })
        .where(eq(pages.id, pageId)),
      "23514",
      "pages_content_check",
    );
  });

  it("refuses an orphan page (story does not exist)", async () => {
    await expectSqlState(
      db().insert(pages).values({ storyId: randomId(), position: "a0" }),
      "23503",
      "pages_story_id_stories_id_fk",
    );
  });

  it("refuses a version below 1", async () => {
    await expectSqlState(
      db().insert(pages).values({ storyId, position: "c0", version: 0 }),
      "23514",
      "pages_version_check",
    );
  });

  it("refuses two live pages on the same position, but a deleted page does not hold its slot", async () => {
    const [story] = await db().insert(stories).values({ ownerId, title: "Slots" }).returning();
    const [first] = await db().insert(pages).values({ storyId: story!.id, position: "a0" }).returning();
    await expectSqlState(
      db().insert(pages).values({ storyId: story!.id, position: "a0" }),
      "23505",
      "pages_story_position_key",
    );
    await db().update(pages).set({ deletedAt: new Date() }).where(eq(pages.id, first!.id));
    await db().insert(pages).values({ storyId: story!.id, position: "a0" });
    // The same key in another story is fine.
    await db().insert(pages).values({ storyId, position: "a0x" });
  });

  it('stores positions with the "C" collation', async () => {
    const result = await db().execute<{ collation_name: string | null }>(
      sql`select collation_name from information_schema.columns where table_name = 'pages' and column_name = 'position'`,
    );
    const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as {
      collation_name: string | null;
    }[];
    expect(rows[0]?.collation_name).toBe("C");
  });

  it("orders positions by bytes: uppercase keys before lowercase ones", async () => {
    const [story] = await db().insert(stories).values({ ownerId, title: "Order" }).returning();
    const keys = ["a1", "Zz", "a0", "a0V", "A0", "b00", "Zy"];
    for (const position of keys) await db().insert(pages).values({ storyId: story!.id, position });
    const ordered = await db()
      .select({ position: pages.position })
      .from(pages)
      .where(eq(pages.storyId, story!.id))
      .orderBy(asc(pages.position));
    const byteOrder = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect(byteOrder).toEqual(["A0", "Zy", "Zz", "a0", "a0V", "a1", "b00"]);
    expect(ordered.map((r) => r.position)).toEqual(byteOrder);
  });

  it('a page moved to the front gets a key like "Zz" and really is shown first', async () => {
    const owner = await makeActor();
    const {
      story,
      pages: [p1, p2, p3],
    } = await makeStory(owner, ["one", "two", "three"]);
    await movePage(owner, { pageId: p3!.id, direction: "up" });
    const moved = await movePage(owner, { pageId: p3!.id, direction: "up" });
    expect(moved.position < p1!.position).toBe(true);
    expect(moved.position).toMatch(/^[A-Z]/);
    const ordered = await db()
      .select({ id: pages.id })
      .from(pages)
      .where(eq(pages.storyId, story.id))
      .orderBy(asc(pages.position));
    expect(ordered.map((r) => r.id)).toEqual([p3!.id, p1!.id, p2!.id]);
  });
});

describe("page revisions", () => {
  it("refuses a job id on a human revision but accepts it on an AI one", async () => {
    const jobId = await makeAiJob(pageId);
    await expectSqlState(
      db().insert(pageRevisions).values({ pageId, version: 50, content: "c", source: "human", jobId }),
      "23514",
      "page_revisions_ai_job_check",
    );
    await db().insert(pageRevisions).values({ pageId, version: 51, content: "c", source: "ai", jobId });
  });

  it("refuses a job id that is not in the job ledger, and a job's text landing twice", async () => {
    await expectSqlState(
      db().insert(pageRevisions).values({ pageId, version: 53, content: "c", source: "ai", jobId: randomId() }),
      "23503",
    );
    const jobId = await makeAiJob(pageId);
    await db().insert(pageRevisions).values({ pageId, version: 54, content: "c", source: "ai", jobId });
    await expectSqlState(
      db().insert(pageRevisions).values({ pageId, version: 55, content: "c", source: "ai", jobId }),
      "23505",
      "page_revisions_job_key",
    );
  });

  it("refuses an unknown source", async () => {
    await expectSqlState(
      db()
        .insert(pageRevisions)
        .values({ pageId, version: 52, content: "c", source: "robot" as never }),
      "23514",
      "page_revisions_source_check",
    );
  });

  it("refuses two revisions with the same version of one page", async () => {
    await db().insert(pageRevisions).values({ pageId, version: 60, content: "c", source: "human" });
    await expectSqlState(
      db().insert(pageRevisions).values({ pageId, version: 60, content: "d", source: "human" }),
      "23505",
      "page_revisions_page_version_key",
    );
  });

  it("refuses a revision of a page that does not exist", async () => {
    await expectSqlState(
      db().insert(pageRevisions).values({ pageId: randomId(), version: 1, content: "c", source: "human" }),
      "23503",
    );
  });
});

describe("cascades", () => {
  it("deleting a story removes its pages and their revisions; deleting a user keeps revisions by others' pages", async () => {
    const owner = await makeActor();
    const editor = await makeActor("admin");
    const {
      story,
      pages: [page],
    } = await makeStory(owner, ["text"]);
    await db()
      .insert(pageRevisions)
      .values({ pageId: page!.id, version: 2, content: "e", source: "human", authorId: editor.id });

    await db().delete(users).where(eq(users.id, editor.id));
    const [rev] = await db()
      .select()
      .from(pageRevisions)
      .where(and(eq(pageRevisions.version, 2), eq(pageRevisions.pageId, page!.id)));
    expect(rev!.authorId).toBeNull();

    const before = await rowCounts();
    await db().delete(stories).where(eq(stories.id, story.id));
    const after = await rowCounts();
    expect(after.stories).toBe(before.stories - 1);
    expect(after.pages).toBe(before.pages - 1);
    expect(after.pageRevisions).toBe(before.pageRevisions - 2);
  });
});
