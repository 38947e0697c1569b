import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { AppError } from "@/lib/errors";
import { addPage, deletePage, getPage, listRevisions, restoreRevision, savePage, type Actor } from "@/lib/stories";
import { writePageContent } from "@/lib/stories/pages";
import { useTestDb } from "./helpers/db";
import {
  ageStory,
  makeAiJob,
  expectAppError,
  makeActor,
  makeStory,
  pageRow,
  randomId,
  revisionsOf,
  snapshot,
  storyRow,
} from "./helpers/fixtures";
import { raceName, raceTest } from "./helpers/postgres-only";

useTestDb();

let owner: Actor & { name: string };
let admin: Actor & { name: string };

beforeAll(async () => {
  owner = await makeActor("author", "Olive Owner");
  admin = await makeActor("admin", "Adam Admin");
});

describe("every write adds exactly one revision", () => {
  it("addPage creates version 1 with a human revision by the author", async () => {
    const { story } = await makeStory(owner);
    const page = await addPage(owner, { storyId: story.id, content: "first words" });
    expect(page.version).toBe(1);
    const revisions = await revisionsOf(page.id);
    expect(revisions).toHaveLength(1);
    expect(revisions[0]).toMatchObject({
      version: 1,
      content: "first words",
      source: "human",
      authorId: owner.id,
      jobId: null,
    });
  });

  it("each savePage increments the version by one and records who wrote what", async () => {
    const {
      pages: [page],
    } = await makeStory(owner, ["v1"]);
    const v2 = await savePage(owner, { pageId: page!.id, content: "v2", baseVersion: 1 });
    expect(v2).toMatchObject({ version: 2, content: "v2" });
    const v3 = await savePage(admin, { pageId: page!.id, content: "v3 by admin", baseVersion: 2 });
    expect(v3).toMatchObject({ version: 3, content: "v3 by admin" });

    const revisions = await revisionsOf(page!.id);
    expect(revisions.map((r) => [r.version, r.content, r.source, r.authorId])).toEqual([
      [1, "v1", "human", owner.id],
      [2, "v2", "human", owner.id],
      [3, "v3 by admin", "human", admin.id],
    ]);
    expect(await pageRow(page!.id)).toMatchObject({ version: 3, content: "v3 by admin" });
  });

  it("listRevisions lists newest first with the author's name", async () => {
    const {
      pages: [page],
    } = await makeStory(owner, ["v1"]);
    await savePage(admin, { pageId: page!.id, content: "v2", baseVersion: 1 });
    const listed = await listRevisions(owner, { pageId: page!.id });
    expect(listed.map((r) => [r.version, r.content, r.source, r.authorName, r.jobId])).toEqual([
      [2, "v2", "human", admin.name, null],
      [1, "v1", "human", owner.name, null],
    ]);
    expect(listed[0]!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(listed[0]!.createdAt).toBeInstanceOf(Date);
  });

  it("an AI write through writePageContent is recorded with source ai and its job id", async () => {
    const {
      pages: [page],
    } = await makeStory(owner, ["human text"]);
    const jobId = await makeAiJob(page!.id);
    const written = await writePageContent(await getDb(), {
      pageId: page!.id,
      content: "machine text",
      baseVersion: 1,
      authorId: null,
      source: "ai",
      jobId,
    });
    expect(written.version).toBe(2);
    const [latest] = await listRevisions(owner, { pageId: page!.id });
    expect(latest).toMatchObject({ version: 2, source: "ai", jobId, authorName: null, content: "machine text" });
  });
});

describe("the concurrency rule: a save must start from the current version", () => {
  it("a stale baseVersion is refused with CONFLICT carrying the current text; the other writer's text stays", async () => {
    const {
      story,
      pages: [page],
    } = await makeStory(owner, ["original"]);
    // The other writer (here: the admin) saves first from version 1.
    await savePage(admin, { pageId: page!.id, content: "the other writer's text", baseVersion: 1 });
    const old = await ageStory(story.id);
    const before = await snapshot();

    const error = await expectAppError(
      savePage(owner, { pageId: page!.id, content: "my late text", baseVersion: 1 }),
      "CONFLICT",
    );
    expect(error.status).toBe(409);
    const current = error.details?.current as { content: string; version: number; updatedAt: string };
    expect(current).toMatchObject({ content: "the other writer's text", version: 2 });
    expect(new Date(current.updatedAt).toISOString()).toBe(current.updatedAt);

    expect(await snapshot()).toEqual(before);
    expect(await getPage(owner, { pageId: page!.id })).toMatchObject({
      content: "the other writer's text",
      version: 2,
    });
    expect((await storyRow(story.id))!.updatedAt).toEqual(old);
  });

  it("a baseVersion from the future is a CONFLICT too", async () => {
    const {
      pages: [page],
    } = await makeStory(owner, ["original"]);
    const error = await expectAppError(savePage(owner, { pageId: page!.id, content: "x", baseVersion: 7 }), "CONFLICT");
    expect(error.details?.current).toMatchObject({ content: "original", version: 1 });
  });

  it("after a CONFLICT the writer can save again from the version it was handed", async () => {
    const {
      pages: [page],
    } = await makeStory(owner, ["original"]);
    await savePage(admin, { pageId: page!.id, content: "theirs", baseVersion: 1 });
    const error = await expectAppError(
      savePage(owner, { pageId: page!.id, content: "mine", baseVersion: 1 }),
      "CONFLICT",
    );
    const { version } = error.details!.current as { version: number };
    const merged = await savePage(owner, { pageId: page!.id, content: "theirs + mine", baseVersion: version });
    expect(merged).toMatchObject({ version: 3, content: "theirs + mine" });
  });

  raceTest(
    raceName("two concurrent saves from the same base version: exactly one wins, the other gets CONFLICT"),
    async () => {
      const {
        pages: [page],
      } = await makeStory(owner, ["base"]);
      const results = await Promise.allSettled([
        savePage(owner, { pageId: page!.id, content: "writer A", baseVersion: 1 }),
        savePage(admin, { pageId: page!.id, content: "writer B", baseVersion: 1 }),
      ]);
      const fulfilled = results.filter((r) => r.status === "fulfilled");
      const rejected = results.filter((r) => r.status === "rejected");
      expect(fulfilled).toHaveLength(1);
      expect(rejected).toHaveLength(1);
      const reason = rejected[0]!.reason as AppError;
      expect(reason).toBeInstanceOf(AppError);
      expect(reason.code).toBe("CONFLICT");

      const winner = fulfilled[0]!.value;
      expect(winner.version).toBe(2);
      expect((reason.details!.current as { content: string }).content).toBe(winner.content);
      expect(await pageRow(page!.id)).toMatchObject({ version: 2, content: winner.content });
      const revisions = await revisionsOf(page!.id);
      expect(revisions.map((r) => [r.version, r.content])).toEqual([
        [1, "base"],
        [2, winner.content],
      ]);
    },
  );

  raceTest(raceName("many concurrent saves from one base: one winner, and versions have no gaps"), async () => {
    const {
      pages: [page],
    } = await makeStory(owner, ["base"]);
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        savePage(owner, { pageId: page!.id, content: `writer ${i}`, baseVersion: 1 }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect((r.reason as AppError).code).toBe("CONFLICT");
    expect((await revisionsOf(page!.id)).map((r) => r.version)).toEqual([1, 2]);
  });

  it("a no-op save (same text, current version) adds no revision and writes nothing", async () => {
    const {
      story,
      pages: [page],
    } = await makeStory(owner, ["unchanged"]);
    await ageStory(story.id);
    const before = await snapshot();
    const result = await savePage(owner, { pageId: page!.id, content: "unchanged", baseVersion: 1 });
    expect(result).toMatchObject({ id: page!.id, version: 1, content: "unchanged" });
    expect(await snapshot()).toEqual(before);
  });

  it("saving a deleted page is NOT_FOUND", async () => {
    const {
      pages: [page],
    } = await makeStory(owner, ["soon gone", "stays"]);
    await deletePage(owner, { pageId: page!.id });
    await expectAppError(savePage(owner, { pageId: page!.id, content: "x", baseVersion: 1 }), "NOT_FOUND");
  });

  it("writePageContent on a page deleted meanwhile is NOT_FOUND, not CONFLICT", async () => {
    const {
      pages: [page],
    } = await makeStory(owner, ["soon gone"]);
    await deletePage(owner, { pageId: page!.id });
    await expectAppError(
      writePageContent(await getDb(), {
        pageId: page!.id,
        content: "x",
        baseVersion: 1,
        authorId: owner.id,
        source: "human",
      }),
      "NOT_FOUND",
    );
  });
});

describe("restoreRevision", () => {
  it("restores an old text as a new revision; history only grows", async () => {
    const {
      pages: [page],
    } = await makeStory(owner, ["first draft"]);
    await savePage(owner, { pageId: page!.id, content: "second draft", baseVersion: 1 });
    const [v1] = await revisionsOf(page!.id);

    const restored = await restoreRevision(admin, { pageId: page!.id, revisionId: v1!.id, baseVersion: 2 });
    expect(restored).toMatchObject({ id: page!.id, version: 3, content: "first draft" });
    const revisions = await revisionsOf(page!.id);
    expect(revisions.map((r) => [r.version, r.content, r.source, r.authorId])).toEqual([
      [1, "first draft", "human", owner.id],
      [2, "second draft", "human", owner.id],
      [3, "first draft", "human", admin.id],
    ]);
  });

  it("refuses a stale base version with CONFLICT and writes nothing", async () => {
    const {
      pages: [page],
    } = await makeStory(owner, ["first"]);
    await savePage(owner, { pageId: page!.id, content: "second", baseVersion: 1 });
    await savePage(admin, { pageId: page!.id, content: "third", baseVersion: 2 });
    const [v1] = await revisionsOf(page!.id);
    const before = await snapshot();
    const error = await expectAppError(
      restoreRevision(owner, { pageId: page!.id, revisionId: v1!.id, baseVersion: 2 }),
      "CONFLICT",
    );
    expect(error.details?.current).toMatchObject({ content: "third", version: 3 });
    expect(await snapshot()).toEqual(before);
  });

  it("a revision id from another page (same owner, same story) is NOT_FOUND and writes nothing", async () => {
    const {
      pages: [p1, p2],
    } = await makeStory(owner, ["page one", "page two"]);
    const [p2v1] = await revisionsOf(p2!.id);
    const before = await snapshot();
    await expectAppError(restoreRevision(owner, { pageId: p1!.id, revisionId: p2v1!.id, baseVersion: 1 }), "NOT_FOUND");
    expect(await snapshot()).toEqual(before);
    expect((await pageRow(p1!.id))!.content).toBe("page one");
  });

  it("an unknown revision id is NOT_FOUND", async () => {
    const {
      pages: [page],
    } = await makeStory(owner, ["x"]);
    await expectAppError(
      restoreRevision(owner, { pageId: page!.id, revisionId: randomId(), baseVersion: 1 }),
      "NOT_FOUND",
    );
  });
});
