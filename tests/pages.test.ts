import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { pages } from "@/db/schema";
import {
  addPage,
  createStory,
  deletePage,
  deleteStory,
  getPage,
  listPages,
  listRevisions,
  listStories,
  movePage,
  restoreRevision,
  savePage,
  undeletePage,
  updateStory,
  type Actor,
} from "@/lib/stories";
import { useTestDb } from "./helpers/db";
import {
  ageStory,
  expectAppError,
  liveOrder,
  makeActor,
  makeStory,
  pageRow,
  revisionsOf,
  rowCounts,
  snapshot,
  storyRow,
} from "./helpers/fixtures";
import { raceName, raceTest } from "./helpers/postgres-only";

const { db } = useTestDb();

let owner: Actor;

beforeAll(async () => {
  owner = await makeActor();
});

/** All page rows of a story except `exceptId`, keyed by id: to prove that an operation wrote one row only. */
async function otherRows(storyId: string, exceptId?: string) {
  const rows = await db().select().from(pages).where(eq(pages.storyId, storyId));
  return Object.fromEntries(rows.filter((r) => r.id !== exceptId).map((r) => [r.id, r]));
}

describe("adding pages", () => {
  it("adds the first page to an empty story", async () => {
    const { story } = await makeStory(owner);
    expect(await listPages(owner, { storyId: story.id })).toEqual([]);
    const page = await addPage(owner, { storyId: story.id, content: "Once upon a time" });
    expect(page).toMatchObject({ storyId: story.id, content: "Once upon a time", version: 1, deletedAt: null });
    expect(typeof page.position).toBe("string");
    expect((await listPages(owner, { storyId: story.id })).map((p) => p.id)).toEqual([page.id]);
  });

  it("content defaults to an empty page", async () => {
    const { story } = await makeStory(owner);
    const page = await addPage(owner, { storyId: story.id });
    expect(page.content).toBe("");
  });

  it("adds at the end by default", async () => {
    const { story, pages: added } = await makeStory(owner, ["one", "two", "three"]);
    const listed = await listPages(owner, { storyId: story.id });
    expect(listed.map((p) => p.content)).toEqual(["one", "two", "three"]);
    expect(listed.map((p) => p.id)).toEqual(added.map((p) => p.id));
  });

  it("adds right after a given page and writes no other row", async () => {
    const {
      story,
      pages: [p1, p2, p3],
    } = await makeStory(owner, ["one", "two", "three"]);
    const before = await otherRows(story.id);
    const inserted = await addPage(owner, { storyId: story.id, afterPageId: p1!.id, content: "one and a half" });
    expect(await liveOrder(story.id)).toEqual([p1!.id, inserted.id, p2!.id, p3!.id]);
    expect(await otherRows(story.id, inserted.id)).toEqual(before);
  });

  it("adding after the last page appends", async () => {
    const {
      story,
      pages: [p1, p2],
    } = await makeStory(owner, ["one", "two"]);
    const appended = await addPage(owner, { storyId: story.id, afterPageId: p2!.id, content: "three" });
    expect(await liveOrder(story.id)).toEqual([p1!.id, p2!.id, appended.id]);
  });

  it("afterPageId: null means at the end", async () => {
    const {
      story,
      pages: [p1],
    } = await makeStory(owner, ["one"]);
    const appended = await addPage(owner, { storyId: story.id, afterPageId: null, content: "two" });
    expect(await liveOrder(story.id)).toEqual([p1!.id, appended.id]);
  });

  it("refuses to add after a deleted page, or after a page of another story, and writes nothing", async () => {
    const {
      story,
      pages: [p1],
    } = await makeStory(owner, ["one", "two"]);
    const {
      pages: [elsewhere],
    } = await makeStory(owner, ["other story"]);
    await deletePage(owner, { pageId: p1!.id });
    const before = await snapshot();
    await expectAppError(addPage(owner, { storyId: story.id, afterPageId: p1!.id }), "NOT_FOUND");
    await expectAppError(addPage(owner, { storyId: story.id, afterPageId: elsewhere!.id }), "NOT_FOUND");
    expect(await snapshot()).toEqual(before);
  });

  it("many inserts at the same spot keep a consistent order", async () => {
    const {
      story,
      pages: [first, last],
    } = await makeStory(owner, ["first", "last"]);
    const expected = [first!.id];
    // Always insert right after the first page: each new page goes before the previous insert.
    const inserted: string[] = [];
    for (let i = 0; i < 8; i++) {
      inserted.unshift((await addPage(owner, { storyId: story.id, afterPageId: first!.id, content: `n${i}` })).id);
    }
    expected.push(...inserted, last!.id);
    expect(await liveOrder(story.id)).toEqual(expected);
    expect((await listPages(owner, { storyId: story.id })).map((p) => p.id)).toEqual(expected);
  });
});

describe("moving pages", () => {
  it("moving down swaps with the next page and changes only the moved row", async () => {
    const {
      story,
      pages: [p1, p2, p3],
    } = await makeStory(owner, ["one", "two", "three"]);
    const before = await otherRows(story.id, p1!.id);
    const moved = await movePage(owner, { pageId: p1!.id, direction: "down" });
    expect(moved.id).toBe(p1!.id);
    expect(moved.position).not.toBe(p1!.position);
    expect(moved.content).toBe("one");
    expect(moved.version).toBe(1);
    expect(await liveOrder(story.id)).toEqual([p2!.id, p1!.id, p3!.id]);
    expect(await otherRows(story.id, p1!.id)).toEqual(before);
  });

  it("moving up swaps with the previous page and changes only the moved row", async () => {
    const {
      story,
      pages: [p1, p2, p3, p4],
    } = await makeStory(owner, ["one", "two", "three", "four"]);
    const before = await otherRows(story.id, p3!.id);
    await movePage(owner, { pageId: p3!.id, direction: "up" });
    expect(await liveOrder(story.id)).toEqual([p1!.id, p3!.id, p2!.id, p4!.id]);
    expect(await otherRows(story.id, p3!.id)).toEqual(before);
  });

  it("moves all the way to the front and back to the end", async () => {
    const {
      story,
      pages: [p1, p2, p3],
    } = await makeStory(owner, ["one", "two", "three"]);
    await movePage(owner, { pageId: p3!.id, direction: "up" });
    await movePage(owner, { pageId: p3!.id, direction: "up" });
    expect(await liveOrder(story.id)).toEqual([p3!.id, p1!.id, p2!.id]);
    await movePage(owner, { pageId: p3!.id, direction: "down" });
    await movePage(owner, { pageId: p3!.id, direction: "down" });
    expect(await liveOrder(story.id)).toEqual([p1!.id, p2!.id, p3!.id]);
  });

  it("skips deleted pages: the neighbour is the next live page", async () => {
    const {
      story,
      pages: [p1, p2, p3],
    } = await makeStory(owner, ["one", "two", "three"]);
    await deletePage(owner, { pageId: p2!.id });
    await movePage(owner, { pageId: p3!.id, direction: "up" });
    expect(await liveOrder(story.id)).toEqual([p3!.id, p1!.id]);
  });

  it("moving the first page up or the last page down is a no-op that writes nothing", async () => {
    const {
      story,
      pages: [p1, , p3],
    } = await makeStory(owner, ["one", "two", "three"]);
    const before = await snapshot();
    const first = await movePage(owner, { pageId: p1!.id, direction: "up" });
    const last = await movePage(owner, { pageId: p3!.id, direction: "down" });
    expect(first.position).toBe(p1!.position);
    expect(last.position).toBe(p3!.position);
    expect(await snapshot()).toEqual(before);
    expect(await liveOrder(story.id)).toEqual([p1!.id, expect.any(String), p3!.id]);
  });

  it("moving the only page is a no-op", async () => {
    const {
      pages: [only],
    } = await makeStory(owner, ["alone"]);
    const before = await snapshot();
    await movePage(owner, { pageId: only!.id, direction: "down" });
    await movePage(owner, { pageId: only!.id, direction: "up" });
    expect(await snapshot()).toEqual(before);
  });

  it("a deleted page cannot be moved", async () => {
    const {
      pages: [p1],
    } = await makeStory(owner, ["one", "two"]);
    await deletePage(owner, { pageId: p1!.id });
    await expectAppError(movePage(owner, { pageId: p1!.id, direction: "down" }), "NOT_FOUND");
  });
});

describe("deleting and restoring pages", () => {
  it("delete hides the page but keeps the row and its history", async () => {
    const {
      story,
      pages: [p1, p2, p3],
    } = await makeStory(owner, ["one", "two", "three"]);
    await savePage(owner, { pageId: p2!.id, content: "two, edited", baseVersion: 1 });
    await deletePage(owner, { pageId: p2!.id });

    expect((await listPages(owner, { storyId: story.id })).map((p) => p.id)).toEqual([p1!.id, p3!.id]);
    await expectAppError(getPage(owner, { pageId: p2!.id }), "NOT_FOUND");
    await expectAppError(listRevisions(owner, { pageId: p2!.id }), "NOT_FOUND");
    const row = await pageRow(p2!.id);
    expect(row!.deletedAt).toBeInstanceOf(Date);
    expect(row!.content).toBe("two, edited");
    expect(await revisionsOf(p2!.id)).toHaveLength(2);
  });

  it("deleting a page twice answers NOT_FOUND the second time", async () => {
    const {
      pages: [p1],
    } = await makeStory(owner, ["one"]);
    await deletePage(owner, { pageId: p1!.id });
    await expectAppError(deletePage(owner, { pageId: p1!.id }), "NOT_FOUND");
  });

  it("undelete puts the page back in its old place with its text and version", async () => {
    const {
      story,
      pages: [p1, p2, p3],
    } = await makeStory(owner, ["one", "two", "three"]);
    const saved = await savePage(owner, { pageId: p2!.id, content: "two v2", baseVersion: 1 });
    await deletePage(owner, { pageId: p2!.id });
    const restored = await undeletePage(owner, { pageId: p2!.id });
    expect(restored).toMatchObject({
      id: p2!.id,
      deletedAt: null,
      position: p2!.position,
      content: "two v2",
      version: saved.version,
    });
    expect(await liveOrder(story.id)).toEqual([p1!.id, p2!.id, p3!.id]);
    expect(await getPage(owner, { pageId: p2!.id })).toMatchObject({ content: "two v2" });
  });

  it("undelete when a new page took the same slot meanwhile keeps both pages", async () => {
    const {
      story,
      pages: [p1, p2, p3],
    } = await makeStory(owner, ["one", "two", "three"]);
    await deletePage(owner, { pageId: p2!.id });
    const newcomer = await addPage(owner, { storyId: story.id, afterPageId: p1!.id, content: "newcomer" });
    // The point of this test: the newcomer really got the deleted page's key.
    expect(newcomer.position).toBe(p2!.position);

    const restored = await undeletePage(owner, { pageId: p2!.id });
    expect(restored.deletedAt).toBeNull();
    expect(restored.position).not.toBe(newcomer.position);
    const listed = await listPages(owner, { storyId: story.id });
    expect(listed.map((p) => p.id)).toEqual([p1!.id, newcomer.id, p2!.id, p3!.id]);
    expect(listed.map((p) => p.content)).toEqual(["one", "newcomer", "two", "three"]);
    expect((await pageRow(newcomer.id))!.position).toBe(newcomer.position);
  });

  it("undelete when the slot was taken by the last page appends after it", async () => {
    const {
      story,
      pages: [p1, p2],
    } = await makeStory(owner, ["one", "two"]);
    await deletePage(owner, { pageId: p2!.id });
    const newcomer = await addPage(owner, { storyId: story.id, content: "newcomer" });
    expect(newcomer.position).toBe(p2!.position);
    await undeletePage(owner, { pageId: p2!.id });
    expect(await liveOrder(story.id)).toEqual([p1!.id, newcomer.id, p2!.id]);
  });

  it("undeleting a page that is not deleted changes nothing", async () => {
    const {
      pages: [p1],
    } = await makeStory(owner, ["one"]);
    const before = await snapshot();
    const same = await undeletePage(owner, { pageId: p1!.id });
    expect(same.id).toBe(p1!.id);
    expect(await snapshot()).toEqual(before);
  });

  it("moving, deleting and undeleting add no revisions (the text did not change)", async () => {
    const {
      pages: [p1, p2],
    } = await makeStory(owner, ["one", "two"]);
    await movePage(owner, { pageId: p1!.id, direction: "down" });
    await deletePage(owner, { pageId: p1!.id });
    await undeletePage(owner, { pageId: p1!.id });
    expect(await revisionsOf(p1!.id)).toHaveLength(1);
    expect(await revisionsOf(p2!.id)).toHaveLength(1);
    expect((await pageRow(p1!.id))!.version).toBe(1);
  });
});

describe("story bookkeeping", () => {
  const writes: { name: string; run: (ids: { storyId: string; pageIds: string[] }) => Promise<unknown> }[] = [
    { name: "updateStory", run: ({ storyId }) => updateStory(owner, { storyId, description: "new" }) },
    { name: "addPage", run: ({ storyId }) => addPage(owner, { storyId, content: "more" }) },
    {
      name: "savePage",
      run: ({ pageIds }) => savePage(owner, { pageId: pageIds[0], content: "changed", baseVersion: 1 }),
    },
    { name: "movePage", run: ({ pageIds }) => movePage(owner, { pageId: pageIds[0], direction: "down" }) },
    { name: "deletePage", run: ({ pageIds }) => deletePage(owner, { pageId: pageIds[0] }) },
    {
      name: "undeletePage",
      run: async ({ storyId, pageIds }) => {
        await deletePage(owner, { pageId: pageIds[0] });
        await ageStory(storyId);
        return undeletePage(owner, { pageId: pageIds[0] });
      },
    },
    {
      name: "restoreRevision",
      run: async ({ storyId, pageIds }) => {
        await savePage(owner, { pageId: pageIds[0], content: "v2", baseVersion: 1 });
        const [v1] = await revisionsOf(pageIds[0]!);
        await ageStory(storyId);
        return restoreRevision(owner, { pageId: pageIds[0], revisionId: v1!.id, baseVersion: 2 });
      },
    },
  ];

  it.each(writes)("$name bumps the story's updatedAt", async ({ run }) => {
    const { story, pages: added } = await makeStory(owner, ["one", "two"]);
    const old = await ageStory(story.id);
    await run({ storyId: story.id, pageIds: added.map((p) => p.id) });
    expect((await storyRow(story.id))!.updatedAt.getTime()).toBeGreaterThan(old.getTime());
  });

  it("reading does not bump updatedAt", async () => {
    const {
      story,
      pages: [p1],
    } = await makeStory(owner, ["one"]);
    const old = await ageStory(story.id);
    await listPages(owner, { storyId: story.id });
    await getPage(owner, { pageId: p1!.id });
    await listRevisions(owner, { pageId: p1!.id });
    await listStories(owner);
    expect((await storyRow(story.id))!.updatedAt.getTime()).toBe(old.getTime());
  });

  it("listStories counts live pages only and lists the most recently edited story first", async () => {
    const author = await makeActor();
    const { story: older } = await makeStory(author, ["a", "b", "c"], "Older");
    const { story: newer, pages: newerPages } = await makeStory(author, ["x", "y"], "Newer");
    await deletePage(author, { pageId: newerPages[0]!.id });
    await ageStory(older.id);
    let list = await listStories(author);
    expect(list.map((s) => [s.title, s.pageCount])).toEqual([
      ["Newer", 1],
      ["Older", 3],
    ]);
    expect(list[0]).toMatchObject({ id: newer.id, ownerId: author.id, ownerName: author.name });
    expect(typeof list[0]!.pageCount).toBe("number");

    // Editing the older story brings it to the top.
    await addPage(author, { storyId: older.id, content: "d" });
    await ageStory(newer.id);
    list = await listStories(author);
    expect(list.map((s) => [s.title, s.pageCount])).toEqual([
      ["Older", 4],
      ["Newer", 1],
    ]);
  });

  it("a story without pages is listed with pageCount 0", async () => {
    const author = await makeActor();
    await createStory(author, { title: "Empty" });
    expect(await listStories(author)).toMatchObject([{ title: "Empty", pageCount: 0 }]);
  });

  it("deleteStory removes the story with its pages and revisions", async () => {
    const { story, pages: added } = await makeStory(owner, ["one", "two"]);
    await savePage(owner, { pageId: added[0]!.id, content: "one v2", baseVersion: 1 });
    const before = await rowCounts();
    await deleteStory(owner, { storyId: story.id });
    const after = await rowCounts();
    expect(after).toEqual({
      ...before,
      stories: before.stories - 1,
      pages: before.pages - 2,
      pageRevisions: before.pageRevisions - 3,
    });
    await expectAppError(listPages(owner, { storyId: story.id }), "NOT_FOUND");
  });
});

describe("concurrent adds", () => {
  raceTest(
    raceName("two pages added at the end at the same time: both land with distinct keys, or one gets ORDER_CONFLICT"),
    async () => {
      const {
        story,
        pages: [p1],
      } = await makeStory(owner, ["one"]);
      const results = await Promise.allSettled([
        addPage(owner, { storyId: story.id, content: "A" }),
        addPage(owner, { storyId: story.id, content: "B" }),
      ]);
      for (const r of results) {
        if (r.status === "rejected") expect((r.reason as { code?: string }).code).toBe("ORDER_CONFLICT");
      }
      const listed = await listPages(owner, { storyId: story.id });
      const fulfilled = results.filter((r) => r.status === "fulfilled").length;
      expect(fulfilled).toBeGreaterThanOrEqual(1);
      expect(listed).toHaveLength(1 + fulfilled);
      expect(new Set(listed.map((p) => p.position)).size).toBe(listed.length);
      expect(listed[0]!.id).toBe(p1!.id);
    },
  );
});
