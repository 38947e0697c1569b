import { describe, expect, it } from "vitest";
import { codexMentionsByPage, createCodexEntry, listCodex, savePage } from "@/lib/stories";
import { type MentionableEntry, pageMentionFinder } from "@/lib/stories/codex/page-mentions";
import { useTestDb } from "../helpers/db";
import { makeActor, makeStory } from "../helpers/fixtures";

/**
 * The mention chips' finder, which the page cards run in the browser as the text is typed and the codex is edited:
 * it follows both, and agrees with what the server computes for the saved text.
 */
useTestDb();

const entry = (id: string, name: string, aliases: string[] = [], kind: MentionableEntry["kind"] = "character") => ({
  id,
  kind,
  name,
  aliases,
});
const names = (chips: { name: string }[]) => chips.map((c) => c.name);

describe("page mention chips, computed in the browser", () => {
  it("follow the text as it is edited: whole words, aliases, case and Unicode folding, longest name first", () => {
    const mentionsOf = pageMentionFinder([
      entry("1", "Mara"),
      entry("2", "Mara Quinn"),
      entry("3", "Tomas Vell", ["Tomas"]),
      entry("4", "Kellan Point", [], "place"),
    ]);
    expect(names(mentionsOf(""))).toEqual([]);
    expect(names(mentionsOf("Mara climbed the stairs."))).toEqual(["Mara"]);
    expect(names(mentionsOf("MARA QUINN climbed the stairs."))).toEqual(["Mara Quinn"]);
    expect(names(mentionsOf("Maranatha, said tomas at kellan point."))).toEqual(["Tomas Vell", "Kellan Point"]);
    // Kind, then name: the codex panel's order, whatever the order in the text.
    expect(names(mentionsOf("Kellan Point. Tomas. Mara."))).toEqual(["Mara", "Tomas Vell", "Kellan Point"]);
  });

  it("follow the codex as it is edited: a new alias, a rename, a deleted entry", () => {
    const text = "The Captain rowed to the lighthouse.";
    expect(names(pageMentionFinder([entry("1", "Mara")])(text))).toEqual([]);
    expect(names(pageMentionFinder([entry("1", "Mara", ["The Captain"])])(text))).toEqual(["Mara"]);
    expect(names(pageMentionFinder([entry("1", "The Lighthouse", [], "place")])(text))).toEqual(["The Lighthouse"]);
    expect(names(pageMentionFinder([])(text))).toEqual([]);
  });

  it("agree with the server's chips for the saved text", async () => {
    const author = await makeActor();
    const { story, pages } = await makeStory(author, [
      "Mara climbed the stairs.",
      "Nobody came.",
      "Tomas met MARA at Kellan Point; Ｍａｒａ waved.",
    ]);
    await createCodexEntry(author, { storyId: story.id, kind: "character", name: "Mara" });
    await createCodexEntry(author, { storyId: story.id, kind: "character", name: "Tomas Vell", aliases: ["Tomas"] });
    await createCodexEntry(author, { storyId: story.id, kind: "place", name: "Kellan Point" });
    await savePage(author, { pageId: pages[1]!.id, content: "Nobody came, not even Tomas.", baseVersion: 1 });
    const entries = await listCodex(author, { storyId: story.id });
    const mentionsOf = pageMentionFinder(entries);
    const server = await codexMentionsByPage(author, { storyId: story.id });
    const texts = ["Mara climbed the stairs.", "Nobody came, not even Tomas.", pages[2]!.content];
    pages.forEach((page, i) => {
      expect(mentionsOf(texts[i]!)).toEqual(server[page.id] ?? []);
    });
    expect(names(server[pages[2]!.id]!)).toEqual(["Mara", "Tomas Vell", "Kellan Point"]);
  });
});
