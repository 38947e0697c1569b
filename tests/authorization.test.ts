import { and, eq, isNull } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { pages, stories, type Page, type Story } from "@/db/schema";
import * as domain from "@/lib/stories";
import type { Actor, RevisionEntry, StoryAction, StorySummary } from "@/lib/stories";
import { useTestDb } from "./helpers/db";
import {
  addMember,
  expectAppError,
  liveOrder,
  makeActor,
  makeStory,
  pageRow,
  randomId,
  revisionsOf,
  snapshot,
  storyRow,
} from "./helpers/fixtures";

/**
 * The authorization matrix: every exported domain function × {anonymous, another author, the owner, an admin}.
 * Another author's story or page must look exactly like a missing one (NOT_FOUND) and must not change.
 */
useTestDb();

const generationMatrix = "page jobs and suggestions: tests/generation/authorization.test.ts";
const backgroundMatrix = "background revisions: tests/background/authorization.test.ts";
const adminMatrix = "admin-only: tests/admin/admin.test.ts";
const codexMatrix = "the story codex: tests/codex/authorization.test.ts";
const summariesMatrix = "page summaries: tests/summaries/authorization.test.ts";
const promptsMatrix = "admin-only prompt library: tests/prompts/library.test.ts";
const presetsMatrix = "each user's own presets, no story involved: tests/prompts/presets.test.ts";
const importMatrix = "imports (no story until they succeed; the importer's own): tests/import/import.test.ts";
const translationsMatrix = "translations: tests/translations/authorization.test.ts";
const takesMatrix = "takes: tests/takes/authorization.test.ts";
const illustrationsMatrix = "page illustrations: tests/illustrations/authorization.test.ts";
const routeMatrix = "by route and action: tests/authorization-matrix.test.ts and tests/api/*.test.ts";
/** REST v1's views of the operations in this matrix: each calls them (or checks with loadStoryFor / readableStories). */
const restMatrix =
  "REST v1 stories and pages, each delegating to (or checking like) a row of this matrix: tests/api/stories.test.ts and tests/authorization-matrix.test.ts";
const membersMatrix = "co-authors, by role: tests/members.test.ts";

/**
 * Exported functions that are not story/page operations of this matrix, each with the reason it is exempt: the guards
 * themselves, and the operations whose own matrix lives in another file (their worlds need jobs and suggestions).
 */
const notDomainOperations = {
  requireActor: "the guard itself (covered by every anonymous row below)",
  can: "the access predicate every row below goes through (tests/access.test.ts)",
  requireAdmin: "the admin guard (tests/admin/admin.test.ts)",
  requestPageText: generationMatrix,
  requestPageTextOutcome: generationMatrix,
  getPageJob: generationMatrix,
  getLatestPageJob: generationMatrix,
  listActivePageJobs: generationMatrix,
  cancelPageJob: generationMatrix,
  undoPageJob: generationMatrix,
  listOpenSuggestions: generationMatrix,
  applySuggestion: generationMatrix,
  discardSuggestion: generationMatrix,
  takeSuggestionParagraphs: generationMatrix,
  requestBackgroundRevision: backgroundMatrix,
  getBackgroundRevision: backgroundMatrix,
  cancelBackgroundRevision: backgroundMatrix,
  applyAllSuggestions: backgroundMatrix,
  discardAllSuggestions: backgroundMatrix,
  checkPageTextRequest: routeMatrix,
  retryJob: routeMatrix,
  getJobForApi: routeMatrix,
  previewImport: importMatrix,
  startImport: importMatrix,
  getImport: importMatrix,
  cancelJobForApi: routeMatrix,
  listJobsForApi: routeMatrix,
  getMyAiAllowance: routeMatrix,
  openStoryJobFeed: "the story's event stream: tests/live/story-events.test.ts and tests/authorization-matrix.test.ts",
  listUserBudgets: adminMatrix,
  setUserBudget: adminMatrix,
  listAdminJobs: adminMatrix,
  adminJobFilterOptions: adminMatrix,
  getAdminJobDetail: adminMatrix,
  adminRetryJob: adminMatrix,
  adminCancelJob: adminMatrix,
  exportAdminJobsCsv: adminMatrix,
  getAdminUsage: adminMatrix,
  getAdminHealth: adminMatrix,
  getMyRatingLimits: "the user's own limits, no story: tests/ratings/ratings.test.ts",
  setMyMaxRating: "the user's own maximum, no story: tests/ratings/ratings.test.ts",
  getSiteSettings: "admin-only: tests/ratings/ratings.test.ts",
  setSiteMaxRating: "admin-only: tests/ratings/ratings.test.ts",
  setUserMaxRating: "admin-only: tests/ratings/ratings.test.ts",
  checkReadiness: "the unauthenticated readiness probe: counts and ages only (tests/admin/health.test.ts)",
  getModelRegistryView: "admin-only: tests/models/registry.test.ts and tests/authorization-matrix.test.ts",
  listCodex: codexMatrix,
  getCodexEntry: codexMatrix,
  createCodexEntry: codexMatrix,
  updateCodexEntry: codexMatrix,
  deleteCodexEntry: codexMatrix,
  codexMentionsForPage: codexMatrix,
  codexMentionsByPage: codexMatrix,
  requestCodexSuggestions: codexMatrix,
  getCodexSuggestRun: codexMatrix,
  cancelCodexSuggestRun: codexMatrix,
  listCodexSuggestions: codexMatrix,
  acceptCodexSuggestion: codexMatrix,
  rejectCodexSuggestion: codexMatrix,
  getPageSummary: summariesMatrix,
  listPageSummaries: summariesMatrix,
  pinPageSummary: summariesMatrix,
  unpinPageSummary: summariesMatrix,
  requestSummarizeAll: summariesMatrix,
  getSummarizeAll: summariesMatrix,
  listStoriesForApi: restMatrix,
  getStoryForApi: restMatrix,
  createStoryForApi: restMatrix,
  updateStoryForApi: restMatrix,
  deleteStoryForApi: restMatrix,
  listPagesForApi: restMatrix,
  getPageForApi: restMatrix,
  addPageForApi: restMatrix,
  savePageForApi: restMatrix,
  deletePageForApi: restMatrix,
  movePageForApi: restMatrix,
  requestBackgroundRevisionForApi: `${restMatrix}; the revision itself: ${backgroundMatrix}`,
  listPromptFamilies: promptsMatrix,
  getPromptVersion: promptsMatrix,
  createPromptDraft: promptsMatrix,
  updatePromptDraft: promptsMatrix,
  deletePromptDraft: promptsMatrix,
  publishPromptVersion: promptsMatrix,
  previewPromptBody: promptsMatrix,
  listPresets: presetsMatrix,
  createPreset: presetsMatrix,
  updatePreset: presetsMatrix,
  deletePreset: presetsMatrix,
  translateStory: translationsMatrix,
  updateTranslation: translationsMatrix,
  listTranslations: translationsMatrix,
  cancelTranslation: translationsMatrix,
  getTranslationPair: translationsMatrix,
  setCodexNameTranslation: translationsMatrix,
  requestTakes: takesMatrix,
  requestAnotherTake: takesMatrix,
  chooseTake: takesMatrix,
  cancelTakeSet: takesMatrix,
  getTakeSet: takesMatrix,
  getOpenTakeSet: takesMatrix,
  listMembers: membersMatrix,
  inviteMember: membersMatrix,
  cancelInvitation: membersMatrix,
  listMyInvitations: membersMatrix,
  acceptInvitation: membersMatrix,
  declineInvitation: membersMatrix,
  changeMemberRole: membersMatrix,
  removeMember: membersMatrix,
  leaveStory: membersMatrix,
  transferOwnership: membersMatrix,
  requestIllustration: illustrationsMatrix,
  listPageIllustrations: illustrationsMatrix,
  chosenIllustrations: illustrationsMatrix,
  chooseIllustration: illustrationsMatrix,
  cancelIllustration: illustrationsMatrix,
  getIllustrationJob: illustrationsMatrix,
  readIllustrationImage: illustrationsMatrix,
  illustrateAfterText: illustrationsMatrix,
} as const;

type ExportedFunctionName = {
  [K in keyof typeof domain]: (typeof domain)[K] extends (...args: never[]) => unknown ? K : never;
}[keyof typeof domain];
type DomainFunctionName = Exclude<ExportedFunctionName, keyof typeof notDomainOperations>;

/** A fresh story of author A for each call: three live pages, p2 edited once (v2), and a soft-deleted page. */
interface World {
  a: Actor;
  b: Actor;
  admin: Actor;
  story: Story;
  p1: Page;
  p2: Page;
  p3: Page;
  deleted: Page;
  p2v1: string;
  /** Members of A's story besides A. */
  editor: Actor;
  reader: Actor;
  /** A page of author B, with its first revision. */
  bPage: Page;
  bRevision: string;
}

interface Case {
  /** Valid input that refers to author A's story or page. */
  input(w: World): unknown;
  /** Well-formed input naming something that does not exist (or is deleted). Omitted where nothing is looked up. */
  missing?: ((w: World) => unknown)[];
  /** Input that mixes A's resource with B's (e.g. A restoring B's revision into A's page). */
  crossOwner?: ((w: World) => unknown)[];
  /** Checks the effect when the call is allowed for `actor`. */
  allowed(result: unknown, w: World, actor: Actor): Promise<void>;
  /** What another author gets instead of NOT_FOUND, for functions that look nothing up (listStories, createStory). */
  otherAuthor?(result: unknown, w: World): Promise<void>;
}

const matrix: Record<DomainFunctionName, Case> = {
  listStories: {
    input: () => undefined,
    async allowed(result, w, actor) {
      const ids = (result as StorySummary[]).map((s) => s.id);
      expect(ids).toContain(w.story.id);
      const [bStory] = await (await getDb()).select().from(stories).where(eq(stories.id, w.bPage.storyId));
      if (actor.role === "admin") expect(ids).toContain(bStory!.id);
      else expect(ids).not.toContain(bStory!.id);
      const mine = (result as StorySummary[]).find((s) => s.id === w.story.id)!;
      expect(mine.pageCount).toBe(3);
    },
    async otherAuthor(result, w) {
      const list = result as StorySummary[];
      expect(list.map((s) => s.id)).not.toContain(w.story.id);
      expect(list.every((s) => s.ownerId === w.b.id)).toBe(true);
      expect(list.map((s) => s.id)).toContain(w.bPage.storyId);
    },
  },
  getStory: {
    input: (w) => ({ storyId: w.story.id }),
    missing: [() => ({ storyId: randomId() })],
    async allowed(result, w) {
      expect(result).toMatchObject({ id: w.story.id, ownerId: w.a.id, title: w.story.title });
    },
  },
  createStory: {
    input: () => ({ title: "Brand new" }),
    async allowed(result, _w, actor) {
      const created = result as Story;
      expect(created.ownerId).toBe(actor.id);
      expect(await storyRow(created.id)).toMatchObject({ title: "Brand new", ownerId: actor.id });
    },
    async otherAuthor(result, w) {
      expect((result as Story).ownerId).toBe(w.b.id);
    },
  },
  updateStory: {
    input: (w) => ({ storyId: w.story.id, title: "Renamed", description: "Changed" }),
    missing: [() => ({ storyId: randomId(), title: "Renamed" })],
    async allowed(result, w) {
      expect(result).toMatchObject({ id: w.story.id, title: "Renamed", ownerId: w.a.id });
      expect(await storyRow(w.story.id)).toMatchObject({ title: "Renamed", description: "Changed" });
    },
  },
  deleteStory: {
    input: (w) => ({ storyId: w.story.id }),
    missing: [() => ({ storyId: randomId() })],
    async allowed(_result, w) {
      expect(await storyRow(w.story.id)).toBeUndefined();
      expect(await pageRow(w.p1.id)).toBeUndefined();
    },
  },
  listPages: {
    input: (w) => ({ storyId: w.story.id }),
    missing: [() => ({ storyId: randomId() })],
    async allowed(result, w) {
      expect((result as Page[]).map((p) => p.id)).toEqual([w.p1.id, w.p2.id, w.p3.id]);
    },
  },
  getPage: {
    input: (w) => ({ pageId: w.p2.id }),
    missing: [() => ({ pageId: randomId() }), (w) => ({ pageId: w.deleted.id })],
    async allowed(result, w) {
      expect(result).toMatchObject({ id: w.p2.id, content: "two v2", version: 2 });
    },
  },
  exportStory: {
    input: (w) => ({ storyId: w.story.id, format: "txt" }),
    missing: [() => ({ storyId: randomId(), format: "txt" })],
    async allowed(result, w) {
      const file = result as domain.StoryExport;
      const text = await new Response(file.body).text();
      expect(text).toContain(w.story.title);
      expect(text).toContain("two v2");
    },
  },
  addPage: {
    input: (w) => ({ storyId: w.story.id, afterPageId: w.p1.id, content: "inserted" }),
    missing: [() => ({ storyId: randomId(), content: "x" }), (w) => ({ storyId: w.story.id, afterPageId: randomId() })],
    crossOwner: [(w) => ({ storyId: w.story.id, afterPageId: w.bPage.id, content: "x" })],
    async allowed(result, w, actor) {
      const page = result as Page;
      expect(await liveOrder(w.story.id)).toEqual([w.p1.id, page.id, w.p2.id, w.p3.id]);
      expect((await revisionsOf(page.id))[0]).toMatchObject({ version: 1, authorId: actor.id, content: "inserted" });
    },
  },
  savePage: {
    input: (w) => ({ pageId: w.p2.id, content: "two v3", baseVersion: 2 }),
    missing: [
      () => ({ pageId: randomId(), content: "x", baseVersion: 1 }),
      (w) => ({ pageId: w.deleted.id, content: "x", baseVersion: 1 }),
    ],
    async allowed(result, w, actor) {
      expect(result).toMatchObject({ id: w.p2.id, version: 3, content: "two v3" });
      expect((await revisionsOf(w.p2.id)).at(-1)).toMatchObject({ version: 3, authorId: actor.id });
    },
  },
  movePage: {
    input: (w) => ({ pageId: w.p2.id, direction: "up" }),
    missing: [() => ({ pageId: randomId(), direction: "up" }), (w) => ({ pageId: w.deleted.id, direction: "down" })],
    async allowed(_result, w) {
      expect(await liveOrder(w.story.id)).toEqual([w.p2.id, w.p1.id, w.p3.id]);
    },
  },
  movePageTo: {
    input: (w) => ({ pageId: w.p3.id, afterPageId: null }),
    missing: [
      () => ({ pageId: randomId(), afterPageId: null }),
      (w) => ({ pageId: w.deleted.id, afterPageId: null }),
      (w) => ({ pageId: w.p1.id, afterPageId: randomId() }),
      (w) => ({ pageId: w.p1.id, afterPageId: w.deleted.id }),
    ],
    crossOwner: [(w) => ({ pageId: w.p1.id, afterPageId: w.bPage.id })],
    async allowed(_result, w) {
      expect(await liveOrder(w.story.id)).toEqual([w.p3.id, w.p1.id, w.p2.id]);
    },
  },
  deletePage: {
    input: (w) => ({ pageId: w.p1.id }),
    missing: [() => ({ pageId: randomId() }), (w) => ({ pageId: w.deleted.id })],
    async allowed(_result, w) {
      expect((await pageRow(w.p1.id))!.deletedAt).toBeInstanceOf(Date);
      expect(await liveOrder(w.story.id)).toEqual([w.p2.id, w.p3.id]);
    },
  },
  undeletePage: {
    input: (w) => ({ pageId: w.deleted.id }),
    missing: [() => ({ pageId: randomId() })],
    async allowed(result, w) {
      expect(result).toMatchObject({ id: w.deleted.id, deletedAt: null });
      expect(await liveOrder(w.story.id)).toContain(w.deleted.id);
    },
  },
  listRevisions: {
    input: (w) => ({ pageId: w.p2.id }),
    missing: [() => ({ pageId: randomId() }), (w) => ({ pageId: w.deleted.id })],
    async allowed(result) {
      expect((result as RevisionEntry[]).map((r) => [r.version, r.content])).toEqual([
        [2, "two v2"],
        [1, "two"],
      ]);
    },
  },
  restoreRevision: {
    input: (w) => ({ pageId: w.p2.id, revisionId: w.p2v1, baseVersion: 2 }),
    missing: [
      (w) => ({ pageId: randomId(), revisionId: w.p2v1, baseVersion: 2 }),
      (w) => ({ pageId: w.p2.id, revisionId: randomId(), baseVersion: 2 }),
      (w) => ({ pageId: w.deleted.id, revisionId: w.p2v1, baseVersion: 1 }),
    ],
    crossOwner: [
      // A restores B's revision into A's own page: would copy B's text into A's story.
      (w) => ({ pageId: w.p2.id, revisionId: w.bRevision, baseVersion: 2 }),
      // B's page with A's revision.
      (w) => ({ pageId: w.bPage.id, revisionId: w.p2v1, baseVersion: 1 }),
    ],
    async allowed(result, w, actor) {
      expect(result).toMatchObject({ id: w.p2.id, version: 3, content: "two" });
      expect((await revisionsOf(w.p2.id)).at(-1)).toMatchObject({ version: 3, content: "two", authorId: actor.id });
    },
  },
};

/** The domain module as a table of its exports: the matrix calls every function by name. */
const domainExports: Readonly<Record<string, unknown>> = domain;
const call = (name: DomainFunctionName, actor: Actor | null, input: unknown) =>
  (domainExports[name] as (actor: Actor | null, input?: unknown) => Promise<unknown>)(actor, input);

let a: Actor;
let b: Actor;
let admin: Actor;
let editor: Actor;
let reader: Actor;

beforeAll(async () => {
  editor = await makeActor("author", "Editor E");
  reader = await makeActor("author", "Reader R");
  a = await makeActor("author", "Author A");
  b = await makeActor("author", "Author B");
  admin = await makeActor("admin", "The Admin");
});

async function buildWorld(): Promise<World> {
  const {
    story,
    pages: [p1, p2, p3, deleted],
  } = await makeStory(a, ["one", "two", "three", "gone"], "A's story");
  await domain.savePage(a, { pageId: p2!.id, content: "two v2", baseVersion: 1 });
  await domain.deletePage(a, { pageId: deleted!.id });
  const p2v1 = (await revisionsOf(p2!.id))[0]!.id;
  const {
    pages: [bPage],
  } = await makeStory(b, ["B's secret text"], "B's story");
  const bRevision = (await revisionsOf(bPage!.id))[0]!.id;
  await addMember(story.id, editor, "editor");
  await addMember(story.id, reader, "reader");
  return {
    a,
    b,
    admin,
    editor,
    reader,
    story,
    p1: p1!,
    p2: p2!,
    p3: p3!,
    deleted: deleted!,
    p2v1,
    bPage: bPage!,
    bRevision,
  };
}

const names = Object.keys(matrix) as DomainFunctionName[];

/** The right each story operation needs (lib/stories/access.ts): the editor and reader rows follow from it. */
const rightNeeded: Partial<Record<DomainFunctionName, StoryAction>> = {
  getStory: "read",
  updateStory: "edit",
  deleteStory: "manage",
  listPages: "read",
  getPage: "read",
  addPage: "edit",
  savePage: "edit",
  movePage: "edit",
  deletePage: "edit",
  undeletePage: "edit",
  listRevisions: "read",
  restoreRevision: "edit",
  exportStory: "read",
};
const editorRights: readonly StoryAction[] = ["read", "edit", "generate", "review"];

describe("the matrix covers every exported function", () => {
  it("lib/stories exports no function that is missing from the matrix (or from the documented exemptions)", () => {
    const exported = Object.entries(domain)
      .filter(([, value]) => typeof value === "function")
      .map(([name]) => name)
      .sort();
    expect(exported).toEqual([...names, ...Object.keys(notDomainOperations)].sort());
  });

  it("the brief's fourteen operations, export and the REST API's move anywhere are all in the matrix", () => {
    expect(names.sort()).toEqual(
      [
        "listStories",
        "getStory",
        "createStory",
        "updateStory",
        "deleteStory",
        "listPages",
        "getPage",
        "addPage",
        "savePage",
        "movePage",
        "movePageTo",
        "deletePage",
        "undeletePage",
        "listRevisions",
        "restoreRevision",
        "exportStory",
      ].sort(),
    );
  });
});

describe.each(names)("%s", (name) => {
  const spec = matrix[name];

  it("anonymous → UNAUTHENTICATED, nothing written", async () => {
    const w = await buildWorld();
    const before = await snapshot();
    await expectAppError(call(name, null, spec.input(w)), "UNAUTHENTICATED");
    // Authentication comes before validation: garbage input from a stranger says nothing about the input.
    await expectAppError(call(name, null, { garbage: true }), "UNAUTHENTICATED");
    await expectAppError(call(name, undefined as unknown as null, spec.input(w)), "UNAUTHENTICATED");
    expect(await snapshot()).toEqual(before);
  });

  it("another author → NOT_FOUND (as if it did not exist), nothing written", async () => {
    const w = await buildWorld();
    const before = await snapshot();
    if (spec.otherAuthor) {
      // Nothing of A's is named: B may call it, and only B's own data is involved.
      const result = await call(name, b, spec.input(w));
      await spec.otherAuthor(result, w);
      const after = await snapshot();
      expect(after.stories.filter((s) => s.ownerId === a.id)).toEqual(before.stories.filter((s) => s.ownerId === a.id));
      expect(after.pages).toEqual(before.pages);
      expect(after.pageRevisions).toEqual(before.pageRevisions);
      return;
    }
    const error = await expectAppError(call(name, b, spec.input(w)), "NOT_FOUND");
    expect(error.details).toBeUndefined();
    expect(JSON.stringify(error)).not.toContain(a.id);
    expect(await snapshot()).toEqual(before);
  });

  it("the owner → allowed", async () => {
    const w = await buildWorld();
    await spec.allowed(await call(name, a, spec.input(w)), w, a);
  });

  // Co-authors: what each function needs; listStories and createStory name no story (listStories: its own test).
  const right = rightNeeded[name];
  if (right) {
    it.each([
      ["editor", () => editor, editorRights.includes(right)],
      ["reader", () => reader, right === "read"],
    ] as const)(
      `a member, %s → allowed or FORBIDDEN (needs ${right}), nothing written when refused`,
      async (_who, who, ok) => {
        const w = await buildWorld();
        if (ok) {
          await spec.allowed(await call(name, who(), spec.input(w)), w, who());
          return;
        }
        const before = await snapshot();
        const error = await expectAppError(call(name, who(), spec.input(w)), "FORBIDDEN");
        expect(error.message).not.toBe("");
        expect(await snapshot()).toEqual(before);
      },
    );
  }

  it("an admin → allowed on someone else's story", async () => {
    const w = await buildWorld();
    await spec.allowed(await call(name, admin, spec.input(w)), w, admin);
  });

  if (spec.missing) {
    it.each(spec.missing.map((make, i) => [i, make] as const))(
      "missing or deleted target #%i → NOT_FOUND for owner and admin, nothing written",
      async (_i, make) => {
        const w = await buildWorld();
        const before = await snapshot();
        await expectAppError(call(name, a, make(w)), "NOT_FOUND");
        await expectAppError(call(name, admin, make(w)), "NOT_FOUND");
        expect(await snapshot()).toEqual(before);
      },
    );
  }

  if (spec.crossOwner) {
    it.each(spec.crossOwner.map((make, i) => [i, make] as const))(
      "mixing A's and B's ids #%i → NOT_FOUND for A, nothing written",
      async (_i, make) => {
        const w = await buildWorld();
        const before = await snapshot();
        await expectAppError(call(name, a, make(w)), "NOT_FOUND");
        expect(await snapshot()).toEqual(before);
      },
    );
  }
});

describe("listStories visibility", () => {
  it("authors see only their own stories; an admin sees everyone's", async () => {
    const c = await makeActor("author");
    const d = await makeActor("author");
    const { story: cStory } = await makeStory(c, ["c"], "C's");
    const { story: dStory } = await makeStory(d, [], "D's");
    const cList = await domain.listStories(c);
    expect(cList.map((s) => s.id)).toEqual([cStory.id]);
    expect((await domain.listStories(d)).map((s) => s.id)).toEqual([dStory.id]);
    const all = (await domain.listStories(admin)).map((s) => s.id);
    expect(all).toEqual(expect.arrayContaining([cStory.id, dStory.id]));
    const db = await getDb();
    expect(all).toHaveLength((await db.select({ id: stories.id }).from(stories)).length);
  });

  it("an admin without stories of their own still sees the others' and an author with none sees nothing", async () => {
    const lonely = await makeActor("author");
    expect(await domain.listStories(lonely)).toEqual([]);
    expect((await domain.listStories(admin)).length).toBeGreaterThan(0);
  });
});

describe("an admin's writes are attributed to the admin, and ownership does not move", () => {
  it("admin edits keep A as the owner", async () => {
    const w = await buildWorld();
    await domain.updateStory(admin, { storyId: w.story.id, title: "Edited by admin" });
    await domain.addPage(admin, { storyId: w.story.id, content: "admin page" });
    expect((await storyRow(w.story.id))!.ownerId).toBe(a.id);
    const db = await getDb();
    const live = await db
      .select()
      .from(pages)
      .where(and(eq(pages.storyId, w.story.id), isNull(pages.deletedAt)));
    expect(live).toHaveLength(4);
    // A still sees it and it does not show up as the admin's in A's list.
    expect((await domain.listStories(a)).map((s) => s.id)).toContain(w.story.id);
  });
});
