import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { pageSuggestions } from "@/db/suggestions-schema";
import { applySuggestion, discardSuggestion, takeSuggestionParagraphs } from "@/lib/stories";
import { writeSuggestion } from "@/lib/stories/suggestions/write";
import { useTestDb } from "./helpers/db";
import { expectAppError, makeActor, makeAiJob, makeStory, pageRow, revisionsOf } from "./helpers/fixtures";

useTestDb();

async function openSuggestion(pageId: string, ownerId: string, content = "The machine's version.") {
  const jobId = await makeAiJob(pageId, ownerId);
  const [row] = await (await getDb())
    .insert(pageSuggestions)
    .values({ pageId, jobId, content, baseVersion: 1 })
    .returning();
  return row!;
}

describe("applying a suggestion writes the page and resolves the suggestion together", () => {
  it("applies: one ai revision with the job id, the suggestion marked applied by the author", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mine."]);
    const suggestion = await openSuggestion(pages[0]!.id, author.id);
    await applySuggestion(author, { suggestionId: suggestion.id });
    expect(await pageRow(pages[0]!.id)).toMatchObject({ content: "The machine's version.", version: 2 });
    const [row] = await (await getDb()).select().from(pageSuggestions).where(eq(pageSuggestions.id, suggestion.id));
    expect(row).toMatchObject({ status: "applied", resolvedBy: author.id });
    expect((await revisionsOf(pages[0]!.id)).at(-1)).toMatchObject({ source: "ai", jobId: suggestion.jobId });
  });

  it("a suggestion discarded meanwhile writes nothing (no half-applied state)", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mine."]);
    const suggestion = await openSuggestion(pages[0]!.id, author.id);
    // Another tab discards it after this request read it as open.
    await (await getDb())
      .update(pageSuggestions)
      .set({ status: "discarded" })
      .where(eq(pageSuggestions.id, suggestion.id));

    const error = await expectAppError(
      writeSuggestion(await getDb(), suggestion, { baseVersion: 1, actorId: author.id }),
      "CONFLICT",
    );
    expect(error.details).toMatchObject({ resolved: true });
    expect(await pageRow(pages[0]!.id)).toMatchObject({ content: "Mine.", version: 1 });
    expect(await revisionsOf(pages[0]!.id)).toHaveLength(1);
  });

  it("a page edited since the suggestion keeps the author's text and the suggestion stays open", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mine."]);
    const suggestion = await openSuggestion(pages[0]!.id, author.id);
    await expectAppError(applySuggestion(author, { suggestionId: suggestion.id, baseVersion: 7 }), "CONFLICT");
    expect(await pageRow(pages[0]!.id)).toMatchObject({ content: "Mine.", version: 1 });
    const [row] = await (await getDb()).select().from(pageSuggestions).where(eq(pageSuggestions.id, suggestion.id));
    expect(row!.status).toBe("open");
  });
});

describe("discarding a suggestion", () => {
  async function suggestionRow(id: string) {
    const [row] = await (await getDb()).select().from(pageSuggestions).where(eq(pageSuggestions.id, id));
    return row!;
  }

  it("discards an open suggestion and leaves the page alone", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mine."]);
    const suggestion = await openSuggestion(pages[0]!.id, author.id);
    await discardSuggestion(author, { suggestionId: suggestion.id });
    expect(await suggestionRow(suggestion.id)).toMatchObject({ status: "discarded", resolvedBy: author.id });
    expect(await pageRow(pages[0]!.id)).toMatchObject({ content: "Mine.", version: 1 });
  });

  it("an applied suggestion is refused with CONFLICT and stays applied, the page keeping its text", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mine."]);
    const suggestion = await openSuggestion(pages[0]!.id, author.id);
    await applySuggestion(author, { suggestionId: suggestion.id });
    const applied = await suggestionRow(suggestion.id);

    const error = await expectAppError(discardSuggestion(author, { suggestionId: suggestion.id }), "CONFLICT");
    expect(error.message).toBe("This suggestion was already applied or discarded.");
    expect(error.details).toMatchObject({ resolved: true });
    // Nothing changed: the row is exactly as the apply left it, and the page keeps the applied text.
    expect(await suggestionRow(suggestion.id)).toEqual(applied);
    expect(await pageRow(pages[0]!.id)).toMatchObject({ content: "The machine's version.", version: 2 });
    expect(await revisionsOf(pages[0]!.id)).toHaveLength(2);
  });

  it("discarding twice is harmless: the first discard's record is kept", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Mine."]);
    const suggestion = await openSuggestion(pages[0]!.id, author.id);
    await discardSuggestion(author, { suggestionId: suggestion.id });
    const first = await suggestionRow(suggestion.id);
    await discardSuggestion(author, { suggestionId: suggestion.id });
    expect(await suggestionRow(suggestion.id)).toEqual(first);
  });
});

describe("taking a suggestion paragraph by paragraph", () => {
  const page = "Mara waited.\n\nThe lamp went out.\n\nTobin slept.";
  const suggested = "Mara waited by the pier.\n\nThe lamp went out.\n\nTobin did not sleep.";

  it("takes one change as an ai revision and keeps the suggestion open for the rest; the last one applies it", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, [page]);
    const suggestion = await openSuggestion(pages[0]!.id, author.id, suggested);

    const first = await takeSuggestionParagraphs(author, { suggestionId: suggestion.id, baseVersion: 1, changes: [1] });
    expect(first).toMatchObject({ suggestionApplied: false, page: { version: 2 } });
    expect((await pageRow(pages[0]!.id))!.content).toBe("Mara waited.\n\nThe lamp went out.\n\nTobin did not sleep.");
    expect((await revisionsOf(pages[0]!.id)).at(-1)).toMatchObject({ source: "ai", authorId: author.id });
    const [open] = await (await getDb()).select().from(pageSuggestions).where(eq(pageSuggestions.id, suggestion.id));
    expect(open!.status).toBe("open");

    // The page changed, so the changes are counted again: only the first paragraph is left, as change 0.
    const last = await takeSuggestionParagraphs(author, { suggestionId: suggestion.id, baseVersion: 2, changes: [0] });
    expect(last).toMatchObject({ suggestionApplied: true, page: { content: suggested, version: 3 } });
    const [done] = await (await getDb()).select().from(pageSuggestions).where(eq(pageSuggestions.id, suggestion.id));
    expect(done).toMatchObject({ status: "applied", resolvedBy: author.id });
  });

  it("refuses a stale comparison, an unknown change and a resolved suggestion, writing nothing", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, [page]);
    const suggestion = await openSuggestion(pages[0]!.id, author.id, suggested);
    const stale = await expectAppError(
      takeSuggestionParagraphs(author, { suggestionId: suggestion.id, baseVersion: 7, changes: [0] }),
      "CONFLICT",
    );
    expect(stale.details).toMatchObject({ current: { content: page, version: 1 } });
    await expectAppError(
      takeSuggestionParagraphs(author, { suggestionId: suggestion.id, baseVersion: 1, changes: [2] }),
      "VALIDATION",
    );
    await expectAppError(
      takeSuggestionParagraphs(author, { suggestionId: suggestion.id, baseVersion: 1, changes: [] }),
      "VALIDATION",
    );
    expect(await pageRow(pages[0]!.id)).toMatchObject({ content: page, version: 1 });
    await discardSuggestion(author, { suggestionId: suggestion.id });
    await expectAppError(
      takeSuggestionParagraphs(author, { suggestionId: suggestion.id, baseVersion: 1, changes: [0] }),
      "CONFLICT",
    );
    expect(await pageRow(pages[0]!.id)).toMatchObject({ content: page, version: 1 });
  });
});
