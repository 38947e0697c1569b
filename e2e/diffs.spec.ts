import { expect, test } from "./fixtures";

test.describe("comparing versions", () => {
  test("the history shows, word by word, what restoring a version would change, or any two versions", async ({
    author,
    storiesPage,
    storyPage,
  }) => {
    await storiesPage.createStory("Diff story");
    const card = await storyPage.addPageWithText("The cat sat on the mat.");
    await card.write("The black cat sat on a mat.");
    await card.write("The black cat sat on a mat. It purred.");

    const history = await card.openHistory();
    await expect(author.page.getByTestId("history-panel")).toBeVisible();
    // Versions: 1 (empty), 2, 3, 4 (current).
    await history.select(2);
    await expect(history.compare).toHaveValue(/.+/);
    await expect(history.compare.locator("option:checked")).toHaveText("Version 4 (current)");
    await expect(history.diffSummary).toHaveText("1 word added · 4 words removed");
    await expect(history.diff.locator("del")).toHaveText([/black/, /a/, /It purred\./]);
    await expect(history.diff.locator("ins")).toHaveText([/the/]);

    // Any two versions.
    await history.compare.selectOption({ label: "Version 3" });
    await expect(history.diffSummary).toHaveText("1 word added · 2 words removed");

    // Or just read the text.
    await history.compare.selectOption({ label: "Nothing (read this version)" });
    await expect(history.diff).toHaveCount(0);
    await expect(history.preview).toBeVisible();
    await expect(history.preview).toHaveText("The cat sat on the mat.");

    // The current version is read, not compared, by default.
    await history.select(4);
    await expect(history.diff).toHaveCount(0);
    await expect(history.preview).toHaveText("The black cat sat on a mat. It purred.");
  });
});
