import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { stories } from "@/db/schema";
import { codexNameTranslations, storyTranslations } from "@/db/translations-schema";
import type { Actor } from "@/lib/stories";
import { useTestDb } from "../helpers/db";
import { makeActor, makeStory, randomId } from "../helpers/fixtures";

/**
 * Every translation function × {anonymous, another author, the owner, an admin}. Keyed by the modules' exports, so a
 * new export without a row (or a stated reason it takes no actor) fails the first test.
 */
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
// No engine here: a run stays pending, which is all these checks need.
vi.mock("@/lib/ai/jobs/queue", () => ({ enqueueJob: vi.fn(async () => {}), requestJobCancel: vi.fn(async () => {}) }));

const domain = {
  ...(await import("@/lib/stories/translations/request")),
  ...(await import("@/lib/stories/translations/read")),
  ...(await import("@/lib/stories/translations/glossary")),
  ...(await import("@/lib/stories/translations/view")),
  ...(await import("@/lib/stories/translations/land")),
  ...(await import("@/lib/stories/translations/plan")),
  ...(await import("@/lib/stories/translations/sync")),
};
useTestDb();

interface World {
  storyId: string;
  translationId: string;
  entryId: string;
}

let owner: Actor;
let other: Actor;
let admin: Actor;

/** A story of the owner with one page, a codex entry and a French translation already made. */
async function makeWorld(): Promise<World> {
  const { story } = await makeStory(owner, ["The Old Mill stood still."]);
  const { createCodexEntry, translateStory } = await import("@/lib/stories");
  const entry = await createCodexEntry(owner, { storyId: story.id, kind: "place", name: "Old Mill" });
  const { translation } = await translateStory(owner, { storyId: story.id, language: "fr" });
  return { storyId: story.id, translationId: translation.storyId, entryId: entry.id };
}

const inputs: Record<string, (w: World) => unknown> = {
  translateStory: (w) => ({ storyId: w.storyId, language: "de" }),
  updateTranslation: (w) => ({ translationId: w.translationId }),
  listTranslations: (w) => ({ storyId: w.storyId }),
  cancelTranslation: (w) => ({ translationId: w.translationId }),
  getTranslationPair: (w) => ({ translationId: w.translationId, pageNumber: 1 }),
  setCodexNameTranslation: (w) => ({ entryId: w.entryId, language: "fr", name: "Vieux Moulin" }),
};

/** Exported functions that take no actor, each with the reason. */
const internal = {
  glossaryFor: "reads the glossary for a run its caller (the plan) already runs",
  toTranslationRunView: "maps a job row the caller already authorized",
  toTranslationView: "maps a translation the caller already loaded for the actor",
  latestRun: "reads the run of a translation the caller already loaded for the actor",
  translationLinkOf: "reads the link of a story the caller already loaded for the actor",
  translationsOfSource: "lists the translations of a source the caller already loaded for the actor",
  validateTranslation: "checks a model answer inside the job (no user)",
  landPageTranslation: "runs inside the Inngest landing function after the job succeeded (no user)",
  planTranslation: "runs inside the fan-out of a run an authorized request created (no user)",
  linkedPages: "reads pages of a translation the caller already loaded for the actor",
  isStale: "pure comparison of two versions",
  mirrorSourcePages: "the write behind translateStory / updateTranslation, called after they authorized",
};

/** What each function does when let through. */
const passes: Record<string, (result: unknown, w: World, actor: Actor) => Promise<void> | void> = {
  translateStory: async (outcome, w) => {
    expect(outcome).toMatchObject({ started: true, translation: { language: "de", sourceStoryId: w.storyId } });
    // Owned by the source's owner, whoever asked (an admin translating keeps the story the author's).
    const id = (outcome as { translation: { storyId: string } }).translation.storyId;
    const { getDb } = await import("@/db");
    const [row] = await (await getDb()).select().from(stories).where(eq(stories.id, id));
    expect(row!.ownerId).toBe(owner.id);
  },
  // The first run is still pending (no engine here): Update joins it.
  updateTranslation: (outcome) => {
    expect(outcome).toMatchObject({ started: false, translation: { run: { status: "pending" } } });
  },
  listTranslations: (list, w) => {
    expect((list as { translations: { storyId: string }[] }).translations.map((t) => t.storyId)).toEqual([
      w.translationId,
    ]);
  },
  cancelTranslation: (view) => {
    expect(view).toMatchObject({ run: { status: "cancelled" } });
  },
  getTranslationPair: (pair) => {
    expect(pair).toMatchObject({ pageNumber: 1, pageCount: 1, source: { content: "The Old Mill stood still." } });
  },
  setCodexNameTranslation: async (result, w) => {
    expect(result).toEqual({ entryId: w.entryId, language: "fr", name: "Vieux Moulin" });
    const { getDb } = await import("@/db");
    const rows = await (await getDb())
      .select()
      .from(codexNameTranslations)
      .where(eq(codexNameTranslations.entryId, w.entryId));
    expect(rows.map((r) => r.name)).toEqual(["Vieux Moulin"]);
  },
};

beforeAll(async () => {
  owner = await makeActor();
  other = await makeActor();
  admin = await makeActor("admin");
});

const fn = (name: string) =>
  (domain as unknown as Record<string, (a: Actor | null, i: unknown) => Promise<unknown>>)[name]!;

describe("translation domain functions", () => {
  it("every exported function is in the matrix or documented as internal", () => {
    const exported = Object.entries(domain)
      .filter(([, v]) => typeof v === "function")
      .map(([k]) => k)
      .sort();
    expect(exported).toEqual([...Object.keys(inputs), ...Object.keys(internal)].sort());
    expect(Object.keys(passes).sort()).toEqual(Object.keys(inputs).sort());
  });

  it.each(Object.keys(inputs))(
    "%s: anonymous → UNAUTHENTICATED, another author → NOT_FOUND like a missing id",
    async (name) => {
      const w = await makeWorld();
      await expect(fn(name)(null, inputs[name]!(w))).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
      const theirs = await fn(name)(other, inputs[name]!(w)).catch((error: unknown) => error);
      expect(theirs).toMatchObject({ code: "NOT_FOUND" });
      const nothing: World = { storyId: randomId(), translationId: randomId(), entryId: randomId() };
      const missing = await fn(name)(owner, inputs[name]!(nothing)).catch((error: unknown) => error);
      expect((theirs as Error).message).toBe((missing as Error).message);
      // Another author's attempt changed nothing: still one translation, no glossary name.
      const { getDb } = await import("@/db");
      const db = await getDb();
      expect(
        await db.select().from(storyTranslations).where(eq(storyTranslations.sourceStoryId, w.storyId)),
      ).toHaveLength(1);
      expect(await db.select().from(codexNameTranslations).where(eq(codexNameTranslations.entryId, w.entryId))).toEqual(
        [],
      );
    },
  );

  it.each(Object.keys(inputs))("%s: the owner and an admin are let through", async (name) => {
    for (const actor of [owner, admin]) {
      const w = await makeWorld();
      await passes[name]!(await fn(name)(actor, inputs[name]!(w)), w, actor);
    }
  });

  it("Update translation of a story that is not a translation is NOT_FOUND, even for its owner", async () => {
    const w = await makeWorld();
    await expect(fn("updateTranslation")(owner, { translationId: w.storyId })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});

describe("a translation's members follow its source's (DECISIONS.md, Takes and translations)", () => {
  it("an editor of the source edits the translation, a reader reads it only, and a removal on the source applies to both", async () => {
    const w = await makeWorld();
    const { addMember } = await import("../helpers/fixtures");
    const { getStory, listStories, updateStory, savePage, listPages } = await import("@/lib/stories");
    const editor = await makeActor();
    const reader = await makeActor();
    await addMember(w.storyId, editor, "editor");
    await addMember(w.storyId, reader, "reader");

    // Both reach the translation as they reach the source, with the same role in their story list.
    for (const [actor, role] of [
      [editor, "editor"],
      [reader, "reader"],
    ] as const) {
      expect(await getStory(actor, { storyId: w.translationId })).toMatchObject({ id: w.translationId });
      const listed = (await listStories(actor)).filter((s) => s.id === w.storyId || s.id === w.translationId);
      expect(listed.map((s) => [s.id, s.role]).sort()).toEqual(
        [
          [w.storyId, role],
          [w.translationId, role],
        ].sort(),
      );
    }
    const [page] = await listPages(editor, { storyId: w.translationId });
    await savePage(editor, { pageId: page!.id, content: "Le Vieux Moulin.", baseVersion: page!.version });
    await expect(
      savePage(reader, { pageId: page!.id, content: "Non.", baseVersion: page!.version + 1 }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(updateStory(reader, { storyId: w.translationId, title: "Non" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    // The glossary names are the source's codex: an editor of the source sets them from the translation's panel.
    expect((await fn("listTranslations")(editor, { storyId: w.translationId })) as object).toMatchObject({
      glossary: { canEdit: true },
    });
    expect((await fn("listTranslations")(reader, { storyId: w.translationId })) as object).toMatchObject({
      glossary: { canEdit: false },
    });

    // Removed from the source: gone from the translation too; a stranger never reaches it.
    const { getDb } = await import("@/db");
    const { storyMembers } = await import("@/db/schema");
    await (await getDb()).delete(storyMembers).where(eq(storyMembers.userId, reader.id));
    await expect(getStory(reader, { storyId: w.translationId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(getStory(other, { storyId: w.translationId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await listStories(reader)).map((s) => s.id)).not.toContain(w.translationId);
  });
});
