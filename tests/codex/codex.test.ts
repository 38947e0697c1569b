import { asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { codexEntries, codexNameKeys } from "@/db/memory-schema";
import { codexEntryPromptText, countTokens } from "@/lib/ai";
import {
  createCodexEntry,
  deleteCodexEntry,
  getCodexEntry,
  listCodex,
  updateCodexEntry,
  codexMentionsByPage,
  codexMentionsForPage,
  type CodexEntryView,
} from "@/lib/stories";
import { useTestDb } from "../helpers/db";
import { expectAppError, makeActor, makeStory } from "../helpers/fixtures";
import { raceName, raceTest } from "../helpers/postgres-only";

const { db } = useTestDb();

async function codexState(storyId: string) {
  return {
    entries: await db()
      .select()
      .from(codexEntries)
      .where(eq(codexEntries.storyId, storyId))
      .orderBy(asc(codexEntries.id)),
    keys: await db()
      .select()
      .from(codexNameKeys)
      .where(eq(codexNameKeys.storyId, storyId))
      .orderBy(asc(codexNameKeys.nameKey)),
  };
}

async function setup() {
  const author = await makeActor();
  const { story, pages } = await makeStory(author, [
    "Mara sailed.",
    "Nothing here.",
    "Tomas met MARA at Kellan Point.",
  ]);
  return { author, story, pages };
}

/** Expects a VALIDATION error naming `field`, with nothing written to the story's codex. */
async function expectRefused(storyId: string, call: Promise<unknown>, field: string, message?: RegExp) {
  // Handled at once: the call is already under way and may fail while the snapshot below is read (an unhandled
  // rejection fails the whole run).
  call.catch(() => {});
  const before = await codexState(storyId);
  const error = await expectAppError(call, "VALIDATION");
  const fields = (error.details?.fields ?? {}) as Record<string, string>;
  expect(Object.keys(fields), error.message).toContain(field);
  if (message) expect(fields[field]).toMatch(message);
  expect(await codexState(storyId)).toEqual(before);
  return error;
}

describe("codex entries", () => {
  it("creates, lists (by kind, then name), updates and deletes, keeping the name keys in step", async () => {
    const { author, story } = await setup();
    const mara = await createCodexEntry(author, {
      storyId: story.id,
      kind: "character",
      name: "  Mara Quinn ",
      aliases: ["Mara", "the Captain"],
      description: "Keeper of the lighthouse.",
    });
    expect(mara).toMatchObject({
      kind: "character",
      name: "Mara Quinn",
      aliases: ["Mara", "the Captain"],
      activation: "mentioned",
      version: 1,
    });
    expect(mara.tokenCount).toBe(countTokens(codexEntryPromptText(mara)));
    expect(mara.tokenCount).toBeGreaterThan(5);
    const point = await createCodexEntry(author, { storyId: story.id, kind: "place", name: "Kellan Point" });
    const lore = await createCodexEntry(author, {
      storyId: story.id,
      kind: "lore",
      name: "The Drowned Bell",
      activation: "always",
    });
    const abel = await createCodexEntry(author, { storyId: story.id, kind: "character", name: "abel" });

    expect((await listCodex(author, { storyId: story.id })).map((e) => e.name)).toEqual([
      "abel",
      "Mara Quinn",
      "Kellan Point",
      "The Drowned Bell",
    ]);
    expect((await codexState(story.id)).keys.map((k) => k.nameKey)).toEqual(
      ["abel", "kellan point", "mara", "mara quinn", "the captain", "the drowned bell"].sort(),
    );

    const updated = await updateCodexEntry(author, {
      entryId: mara.id,
      baseVersion: 1,
      aliases: ["Captain Quinn"],
      description: "Keeper of the Kellan Point light.",
    });
    expect(updated).toMatchObject({ version: 2, name: "Mara Quinn", aliases: ["Captain Quinn"], kind: "character" });
    expect(updated.tokenCount).toBe(countTokens(codexEntryPromptText(updated)));
    const keys = (await codexState(story.id)).keys.filter((k) => k.entryId === mara.id).map((k) => k.nameKey);
    expect(keys.sort()).toEqual(["captain quinn", "mara quinn"]);
    // The old alias is free again.
    await createCodexEntry(author, { storyId: story.id, kind: "other", name: "the captain" });

    expect(await getCodexEntry(author, { entryId: point.id })).toEqual(point);
    expect(await deleteCodexEntry(author, { entryId: lore.id })).toEqual({ id: lore.id });
    await expectAppError(getCodexEntry(author, { entryId: lore.id }), "NOT_FOUND");
    await expectAppError(deleteCodexEntry(author, { entryId: lore.id }), "NOT_FOUND");
    expect((await codexState(story.id)).keys.some((k) => k.entryId === lore.id)).toBe(false);
    expect((await listCodex(author, { storyId: story.id })).map((e) => e.id)).toContain(abel.id);
  });

  it("searches names, aliases and descriptions, case- and Unicode-insensitively", async () => {
    const { author, story } = await setup();
    await createCodexEntry(author, { storyId: story.id, kind: "character", name: "Élodie", aliases: ["Lodie"] });
    await createCodexEntry(author, {
      storyId: story.id,
      kind: "place",
      name: "Harbour",
      description: "Where the ÉLODIE sank.",
    });
    await createCodexEntry(author, { storyId: story.id, kind: "thing", name: "Ｌａｍｐ" });
    const search = async (q: string) => (await listCodex(author, { storyId: story.id, q })).map((e) => e.name);
    expect(await search("élodie")).toEqual(["Élodie", "Harbour"]);
    expect(await search("LODIE")).toEqual(["Élodie", "Harbour"]);
    expect(await search("lamp")).toEqual(["Ｌａｍｐ"]);
    expect(await search("sank")).toEqual(["Harbour"]);
    expect(await search("  ")).toEqual(["Élodie", "Harbour", "Ｌａｍｐ"]);
    expect(await search("nothing like it")).toEqual([]);
  });

  it("refuses a stale version with CONFLICT and the entry as it is now", async () => {
    const { author, story } = await setup();
    const entry = await createCodexEntry(author, { storyId: story.id, kind: "character", name: "Mara" });
    await updateCodexEntry(author, { entryId: entry.id, baseVersion: 1, description: "First edit." });
    const before = await codexState(story.id);
    const error = await expectAppError(
      updateCodexEntry(author, { entryId: entry.id, baseVersion: 1, description: "Lost edit." }),
      "CONFLICT",
    );
    const current = error.details?.entry as CodexEntryView;
    expect(current.description).toBe("First edit.");
    expect(current.version).toBe(2);
    expect(await codexState(story.id)).toEqual(before);
  });
});

describe("bad input: a 400 naming the field, nothing saved", () => {
  it("names, aliases, descriptions, kinds and activations out of bounds", async () => {
    const { author, story } = await setup();
    const base = { storyId: story.id, kind: "character", name: "Mara" };
    const create = (input: Record<string, unknown>) => createCodexEntry(author, { ...base, ...input });
    await expectRefused(story.id, create({ name: "" }), "name", /required/);
    await expectRefused(story.id, create({ name: "   " }), "name", /required/);
    await expectRefused(story.id, create({ name: undefined }), "name");
    await expectRefused(story.id, create({ name: "x".repeat(101) }), "name", /at most 100/);
    await expectRefused(story.id, create({ name: 42 }), "name");
    await expectRefused(story.id, create({ kind: "villain" }), "kind", /Choose a kind/);
    await expectRefused(story.id, create({ activation: "sometimes" }), "activation");
    await expectRefused(story.id, create({ description: "d".repeat(2001) }), "description", /2,000/);
    await expectRefused(story.id, create({ aliases: "Mara, M" }), "aliases");
    await expectRefused(story.id, create({ aliases: [""] }), "aliases.0", /empty/);
    await expectRefused(story.id, create({ aliases: ["ok", "a".repeat(101)] }), "aliases.1", /at most 100/);
    await expectRefused(
      story.id,
      create({ aliases: Array.from({ length: 21 }, (_v, i) => `Alias ${i}`) }),
      "aliases",
      /at most 20/,
    );
    await expectRefused(story.id, create({ aliases: ["M", "Captain", "captain"] }), "aliases.2", /listed twice/);
    await expectRefused(story.id, create({ aliases: ["MARA"] }), "aliases.0", /already this entry's name/);
    // NFKC: full-width letters are the same name.
    await expectRefused(story.id, create({ aliases: ["Ｍａｒａ"] }), "aliases.0", /already this entry's name/);
    await expectRefused(story.id, create({ name: "Mara\u0000" }), "name");
    await expectRefused(story.id, createCodexEntry(author, { ...base, storyId: "nope" }), "storyId");
    // The boundaries themselves are fine.
    await create({
      name: "x".repeat(100),
      aliases: Array.from({ length: 20 }, (_v, i) => `Alias ${i}`),
      description: "d".repeat(2000),
    });
  });

  it("a name or alias another entry uses, whichever it is there, across case and Unicode forms", async () => {
    const { author, story } = await setup();
    const mara = await createCodexEntry(author, {
      storyId: story.id,
      kind: "character",
      name: "Mara Quinn",
      aliases: ["The Captain"],
    });
    const create = (name: string, aliases: string[] = []) =>
      createCodexEntry(author, { storyId: story.id, kind: "character", name, aliases });

    let error = await expectRefused(story.id, create("mara  quinn"), "name", /already the name of another entry/);
    expect(error.message).toBe("“mara  quinn” is already the name of another entry.");
    expect(error.details?.clashingEntry).toEqual({ id: mara.id, name: "Mara Quinn" });
    error = await expectRefused(story.id, create("THE CAPTAIN"), "name", /alias of “Mara Quinn”/);
    await expectRefused(story.id, create("Tomas", ["Ｍａｒａ Ｑｕｉｎｎ"]), "aliases.0", /already the name/);
    await expectRefused(story.id, create("Tomas", ["Old Tom", "the captain"]), "aliases.1", /alias of “Mara Quinn”/);
    // German sharp s folds like "ss".
    await createCodexEntry(author, { storyId: story.id, kind: "place", name: "Große Straße" });
    await expectRefused(story.id, create("GROSSE STRASSE"), "name");

    // Updating an entry into another's name is refused too; keeping its own names is not a clash.
    const tomas = await create("Tomas", ["Old Tom"]);
    await expectRefused(
      story.id,
      updateCodexEntry(author, { entryId: tomas.id, baseVersion: 1, aliases: ["Old Tom", "the captain"] }),
      "aliases.1",
    );
    await expectRefused(
      story.id,
      updateCodexEntry(author, { entryId: tomas.id, baseVersion: 1, name: "Old Tom" }),
      "aliases.0",
      /already this entry's name/,
    );
    const renamed = await updateCodexEntry(author, {
      entryId: tomas.id,
      baseVersion: 1,
      name: "TOMAS",
      aliases: ["old tom"],
    });
    expect(renamed).toMatchObject({ name: "TOMAS", aliases: ["old tom"], version: 2 });

    // Other stories have their own names.
    const other = await makeStory(author, []);
    await createCodexEntry(author, { storyId: other.story.id, kind: "character", name: "Mara Quinn" });
  });

  raceTest(
    raceName("two requests adding the same name at once: one entry, the other refused naming the field"),
    async () => {
      const { author, story } = await setup();
      const results = await Promise.allSettled([
        createCodexEntry(author, { storyId: story.id, kind: "character", name: "Mara" }),
        createCodexEntry(author, { storyId: story.id, kind: "place", name: "MARA" }),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect(refused.reason).toMatchObject({ code: "VALIDATION", details: { fields: { name: expect.any(String) } } });
      expect((await codexState(story.id)).entries).toHaveLength(1);
    },
  );

  it("a story holds at most 500 entries", async () => {
    const { author, story } = await setup();
    await db()
      .insert(codexEntries)
      .values(Array.from({ length: 499 }, (_v, i) => ({ storyId: story.id, kind: "other" as const, name: `E${i}` })));
    await createCodexEntry(author, { storyId: story.id, kind: "character", name: "The 500th" });
    const before = await codexState(story.id);
    const error = await expectAppError(
      createCodexEntry(author, { storyId: story.id, kind: "character", name: "One too many" }),
      "VALIDATION",
    );
    expect(error.message).toMatch(/at most 500 entries/);
    expect(await codexState(story.id)).toEqual(before);
  });
});

describe("mentions", () => {
  it("finds the entries a page and its neighbours mention, by name or alias, case-insensitively", async () => {
    const { author, story, pages } = await setup();
    const mara = await createCodexEntry(author, { storyId: story.id, kind: "character", name: "Mara" });
    const tomas = await createCodexEntry(author, {
      storyId: story.id,
      kind: "character",
      name: "Tomas Vell",
      aliases: ["Tomas"],
    });
    const point = await createCodexEntry(author, { storyId: story.id, kind: "place", name: "Kellan Point" });
    await createCodexEntry(author, { storyId: story.id, kind: "place", name: "Nowhere" });

    expect(await codexMentionsForPage(author, { pageId: pages[0]!.id })).toEqual([
      { entryId: mara.id, kind: "character", name: "Mara", foundIn: "page" },
    ]);
    expect(await codexMentionsForPage(author, { pageId: pages[1]!.id })).toEqual([
      { entryId: mara.id, kind: "character", name: "Mara", foundIn: "previous" },
      { entryId: tomas.id, kind: "character", name: "Tomas Vell", foundIn: "next" },
      { entryId: point.id, kind: "place", name: "Kellan Point", foundIn: "next" },
    ]);
    expect(await codexMentionsByPage(author, { storyId: story.id })).toEqual({
      [pages[0]!.id]: [{ entryId: mara.id, kind: "character", name: "Mara" }],
      [pages[2]!.id]: [
        { entryId: mara.id, kind: "character", name: "Mara" },
        { entryId: tomas.id, kind: "character", name: "Tomas Vell" },
        { entryId: point.id, kind: "place", name: "Kellan Point" },
      ],
    });
  });
});
