import { describe, expect, it } from "vitest";
import { storyWords } from "@/lib/ai/offline-writer";

// The offline model borrows what the story's characters do. A name is matched as written: an accented letter or an
// apostrophe in it (URL-escaped by mistake before) made the name's actions invisible.
describe("offline writer: the story's vocabulary", () => {
  it("reads the actions of characters whose names have accents or apostrophes", () => {
    const story = [
      "At dawn Zoë lifted the lantern. Later Zoë lifted the lantern again, and Zoë waited.",
      "By noon Élodie crossed the bridge. Then Élodie crossed the bridge once more.",
      "O'Brien carried the rope. O'Brien carried the rope home.",
    ].join("\n\n");
    const words = storyWords(story, ["O'Brien"]);
    expect(words.names).toEqual(expect.arrayContaining(["Zoë", "Élodie", "O'Brien"]));
    expect(words.transitive).toEqual(expect.arrayContaining(["lifted", "crossed", "carried"]));
    expect(words.pairs).toEqual(
      expect.arrayContaining(["lifted the lantern", "crossed the bridge", "carried the rope"]),
    );
    expect(words.intransitive).toContain("waited");
  });

  it("still leaves a pronoun inside a longer word alone", () => {
    const words = storyWords("The keeper went up. Then she climbed the stairs. Nothing else moved the sea.");
    expect(words.transitive).toEqual(["climbed"]);
  });
});
