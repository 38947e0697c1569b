import { expect, test } from "./fixtures";
import { CodexPanel } from "./pages/codex";

test.describe("mention chips", () => {
  test("follow the page text as it is typed and the codex as it is edited, without a reload", async ({
    author,
    storiesPage,
    storyPage,
  }) => {
    await storiesPage.createStory("Chips", "Who is mentioned where.");
    await storyPage.addPageWithText("Mara climbed the stairs.");
    const card = storyPage.card(0);
    const chips = card.root.getByTestId("page-mentions");
    const codex = new CodexPanel(author.page);

    // A navigation would reset this marker: it proves that nothing below reloads the page.
    await author.page.evaluate(() => {
      (window as unknown as { stayed: boolean }).stayed = true;
    });

    await codex.add({ kind: "character", name: "Tomas", aliases: "the ferryman" });
    await expect(chips).toHaveCount(0);

    // Typing (not saved yet) updates the chips.
    await card.type("Mara climbed the stairs. The ferryman waited below.");
    await expect(chips).toHaveText("Tomas");
    await card.save();
    await expect(chips).toHaveText("Tomas");

    // A new entry the saved text mentions appears at once; a deleted one goes.
    await codex.add({ kind: "character", name: "Mara" });
    await expect(chips.getByTestId("page-mention")).toHaveText(["Mara", "Tomas"]);
    await codex.delete("Tomas");
    await expect(chips.getByTestId("page-mention")).toHaveText(["Mara"]);

    expect(await author.page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
  });
});
