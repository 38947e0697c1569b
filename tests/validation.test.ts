import { beforeAll, describe, expect, it } from "vitest";
import type { Page, Story } from "@/db/schema";
import {
  addPage,
  createStory,
  deletePage,
  deleteStory,
  getPage,
  getStory,
  limits,
  listPages,
  listRevisions,
  movePage,
  restoreRevision,
  savePage,
  undeletePage,
  updateStory,
  type Actor,
} from "@/lib/stories";
import { useTestDb } from "./helpers/db";
import { expectAppError, makeActor, makeStory, revisionsOf, snapshot } from "./helpers/fixtures";

/**
 * Every domain function refuses malformed input with VALIDATION (naming the field) before touching the database,
 * and page text over the limit with LIMIT_EXCEEDED. Each case compares a full snapshot of all tables before and after.
 */
useTestDb();

let owner: Actor;
let story: Story;
let page: Page;
let revisionId: string;

beforeAll(async () => {
  owner = await makeActor();
  const made = await makeStory(owner, ["first", "second"]);
  story = made.story;
  page = made.pages[0]!;
  revisionId = (await revisionsOf(page.id))[0]!.id;
});

type Call = (actor: Actor) => Promise<unknown>;
interface BadCase {
  name: string;
  call: Call;
  /** The field the error must name in details.fields. */
  field: string;
}

const tooLongTitle = "t".repeat(limits.titleMax + 1);
const notUuid = "not-a-uuid";

const validationCases: BadCase[] = [
  // stories
  { name: "getStory: non-uuid id", call: (a) => getStory(a, { storyId: notUuid }), field: "storyId" },
  { name: "getStory: missing id", call: (a) => getStory(a, {}), field: "storyId" },
  { name: "getStory: no input at all", call: (a) => getStory(a, undefined), field: "input" },
  { name: "createStory: empty title", call: (a) => createStory(a, { title: "" }), field: "title" },
  { name: "createStory: blank title", call: (a) => createStory(a, { title: "   " }), field: "title" },
  { name: "createStory: over-long title", call: (a) => createStory(a, { title: tooLongTitle }), field: "title" },
  { name: "createStory: title not a string", call: (a) => createStory(a, { title: 42 }), field: "title" },
  { name: "createStory: missing title", call: (a) => createStory(a, {}), field: "title" },
  {
    name: "createStory: over-long description",
    call: (a) => createStory(a, { title: "ok", description: "d".repeat(limits.descriptionMax + 1) }),
    field: "description",
  },
  {
    name: "createStory: bad language",
    call: (a) => createStory(a, { title: "ok", language: "English" }),
    field: "language",
  },
  { name: "updateStory: non-uuid id", call: (a) => updateStory(a, { storyId: notUuid, title: "x" }), field: "storyId" },
  {
    name: "updateStory: empty title",
    call: () => updateStory(owner, { storyId: story.id, title: "" }),
    field: "title",
  },
  {
    name: "updateStory: over-long title",
    call: () => updateStory(owner, { storyId: story.id, title: tooLongTitle }),
    field: "title",
  },
  {
    name: "updateStory: bad language",
    call: () => updateStory(owner, { storyId: story.id, language: "en_US" }),
    field: "language",
  },
  { name: "deleteStory: non-uuid id", call: (a) => deleteStory(a, { storyId: notUuid }), field: "storyId" },
  { name: "deleteStory: numeric id", call: (a) => deleteStory(a, { storyId: 1 }), field: "storyId" },
  // pages
  { name: "listPages: non-uuid id", call: (a) => listPages(a, { storyId: notUuid }), field: "storyId" },
  { name: "getPage: non-uuid id", call: (a) => getPage(a, { pageId: notUuid }), field: "pageId" },
  {
    name: "getPage: story id field instead of page id",
    call: () => getPage(owner, { storyId: story.id }),
    field: "pageId",
  },
  { name: "addPage: non-uuid story id", call: (a) => addPage(a, { storyId: notUuid, content: "x" }), field: "storyId" },
  {
    name: "addPage: non-uuid afterPageId",
    call: () => addPage(owner, { storyId: story.id, afterPageId: notUuid, content: "x" }),
    field: "afterPageId",
  },
  {
    name: "addPage: content not a string",
    call: () => addPage(owner, { storyId: story.id, content: 5 }),
    field: "content",
  },
  {
    name: "savePage: non-uuid page id",
    call: (a) => savePage(a, { pageId: notUuid, content: "x", baseVersion: 1 }),
    field: "pageId",
  },
  {
    name: "savePage: negative baseVersion",
    call: () => savePage(owner, { pageId: page.id, content: "x", baseVersion: -1 }),
    field: "baseVersion",
  },
  // Issue 12: NUL characters (PostgreSQL cannot store them in text) and a version past PostgreSQL's integer were
  // INTERNAL errors from the database; they are refused at the boundary, naming the field.
  {
    name: "createStory: NUL in the title",
    call: (a) => createStory(a, { title: "A\u0000B" }),
    field: "title",
  },
  {
    name: "updateStory: NUL in the description",
    call: () => updateStory(owner, { storyId: story.id, description: "x\u0000" }),
    field: "description",
  },
  {
    name: "addPage: NUL in the content",
    call: () => addPage(owner, { storyId: story.id, content: "\u0000" }),
    field: "content",
  },
  {
    name: "savePage: NUL in the content",
    call: () => savePage(owner, { pageId: page.id, content: "one\u0000two", baseVersion: 1 }),
    field: "content",
  },
  {
    name: "savePage: baseVersion past PostgreSQL's integer",
    call: () => savePage(owner, { pageId: page.id, content: "x", baseVersion: 2_147_483_648 }),
    field: "baseVersion",
  },
  {
    name: "restoreRevision: baseVersion past PostgreSQL's integer",
    call: () => restoreRevision(owner, { pageId: page.id, revisionId, baseVersion: 2_147_483_648 }),
    field: "baseVersion",
  },
  {
    name: "savePage: zero baseVersion",
    call: () => savePage(owner, { pageId: page.id, content: "x", baseVersion: 0 }),
    field: "baseVersion",
  },
  {
    name: "savePage: fractional baseVersion",
    call: () => savePage(owner, { pageId: page.id, content: "x", baseVersion: 1.5 }),
    field: "baseVersion",
  },
  {
    name: "savePage: baseVersion as a string",
    call: () => savePage(owner, { pageId: page.id, content: "x", baseVersion: "1" }),
    field: "baseVersion",
  },
  {
    name: "savePage: missing content",
    call: () => savePage(owner, { pageId: page.id, baseVersion: 1 }),
    field: "content",
  },
  {
    name: "movePage: unknown direction",
    call: () => movePage(owner, { pageId: page.id, direction: "left" }),
    field: "direction",
  },
  { name: "movePage: non-uuid id", call: (a) => movePage(a, { pageId: notUuid, direction: "up" }), field: "pageId" },
  { name: "deletePage: non-uuid id", call: (a) => deletePage(a, { pageId: notUuid }), field: "pageId" },
  { name: "undeletePage: non-uuid id", call: (a) => undeletePage(a, { pageId: notUuid }), field: "pageId" },
  // revisions
  { name: "listRevisions: non-uuid id", call: (a) => listRevisions(a, { pageId: notUuid }), field: "pageId" },
  {
    name: "restoreRevision: non-uuid revision id",
    call: () => restoreRevision(owner, { pageId: page.id, revisionId: notUuid, baseVersion: 1 }),
    field: "revisionId",
  },
  {
    name: "restoreRevision: negative baseVersion",
    call: () => restoreRevision(owner, { pageId: page.id, revisionId, baseVersion: -3 }),
    field: "baseVersion",
  },
  {
    name: "restoreRevision: missing baseVersion",
    call: () => restoreRevision(owner, { pageId: page.id, revisionId }),
    field: "baseVersion",
  },
];

describe("VALIDATION: malformed input is refused and nothing is written", () => {
  it.each(validationCases)("$name", async ({ call, field }) => {
    const before = await snapshot();
    const error = await expectAppError(call(owner), "VALIDATION");
    expect(error.status).toBe(400);
    const fields = error.details?.fields as Record<string, string>;
    expect(Object.keys(fields)).toContain(field);
    expect(error.message).toBe(fields[field]);
    expect(await snapshot()).toEqual(before);
  });
});

describe("LIMIT_EXCEEDED: page text over 100,000 characters", () => {
  const tooLong = "x".repeat(limits.pageMax + 1);

  it("savePage refuses 100,001 characters, says how long the text was, and keeps the old text", async () => {
    const before = await snapshot();
    const error = await expectAppError(
      savePage(owner, { pageId: page.id, content: tooLong, baseVersion: page.version }),
      "LIMIT_EXCEEDED",
    );
    expect(error.details).toEqual({ limit: 100_000, length: 100_001 });
    expect(error.message).toContain("100,001");
    expect(await snapshot()).toEqual(before);
  });

  it("addPage refuses 100,001 characters the same way", async () => {
    const before = await snapshot();
    const error = await expectAppError(addPage(owner, { storyId: story.id, content: tooLong }), "LIMIT_EXCEEDED");
    expect(error.details).toEqual({ limit: 100_000, length: 100_001 });
    expect(await snapshot()).toEqual(before);
  });

  it("the limit is checked before ownership or existence (nothing is looked up for a hopeless write)", async () => {
    const stranger = await makeActor();
    await expectAppError(savePage(stranger, { pageId: page.id, content: tooLong, baseVersion: 1 }), "LIMIT_EXCEEDED");
  });

  it("exactly 100,000 characters are accepted by addPage and savePage", async () => {
    const max = "y".repeat(limits.pageMax);
    const added = await addPage(owner, { storyId: story.id, content: max });
    expect(added.content).toHaveLength(limits.pageMax);
    const saved = await savePage(owner, { pageId: added.id, content: "z".repeat(limits.pageMax), baseVersion: 1 });
    expect(saved.version).toBe(2);
    expect(saved.content).toHaveLength(limits.pageMax);
  });
});

describe("accepted edge values", () => {
  it("a title of exactly 200 characters is accepted; surrounding spaces are trimmed", async () => {
    const long = await createStory(owner, { title: "t".repeat(limits.titleMax) });
    expect(long.title).toHaveLength(limits.titleMax);
    const trimmed = await createStory(owner, { title: "  Spaced out  " });
    expect(trimmed.title).toBe("Spaced out");
    expect(trimmed.description).toBe("");
    expect(trimmed.language).toBe("en");
  });

  it("updateStory with only some fields leaves the others alone", async () => {
    const created = await createStory(owner, { title: "Keep", description: "Kept description", language: "pt-BR" });
    const updated = await updateStory(owner, { storyId: created.id, title: "New title" });
    expect(updated).toMatchObject({ title: "New title", description: "Kept description", language: "pt-BR" });
  });

  it("a language tag is stored in its canonical case, so the same language is never two tags", async () => {
    const created = await createStory(owner, { title: "Case", language: " pt-br " });
    expect(created.language).toBe("pt-BR");
    const updated = await updateStory(owner, { storyId: created.id, language: "ZH-hant" });
    expect(updated.language).toBe("zh-Hant");
  });
});
