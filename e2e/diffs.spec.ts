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

  test("a suggestion taken by paragraph: one change goes into the page, the other stays open", async ({
    author,
    storiesPage,
    storyPage,
  }) => {
    // A background revision (the e2e server's slow offline model) makes the suggestion.
    test.slow();
    const JOB = { timeout: 120_000 };
    await storiesPage.createStory("Paragraph story", "A lighthouse keeper and the sea.");
    const card = await storyPage.addPageWithText(
      [
        "Mara kept the lighthouse on Gull Rock for eleven winters.",
        "Tobin rowed out from the harbour with bread and news.",
        "The storm came in from the west, and the lamp did not go out.",
      ].join("\n\n"),
    );
    await card.select.check();
    await storyPage.background.start("simpler words for young readers");
    await expect(card.suggestion).toHaveCount(1, JOB);
    await card.suggestion.getByTestId("suggestion-view-side-by-side").click();
    const suggested = ((await card.suggestionText.textContent()) ?? "").split("\n\n");
    // The offline model keeps the page's paragraphs.
    expect(suggested).toHaveLength(3);

    // The author rewrites the first and last paragraphs by hand: against the page, the suggestion now changes those
    // two, and leaves the middle one as it is.
    await card.write(["Mine: Zephyrfirst.", suggested[1], "Mine: Zephyrlast."].join("\n\n"));
    await card.suggestion.getByTestId("suggestion-view-paragraphs").click();
    const changes = card.suggestion.getByTestId("suggestion-paragraph");
    await expect(changes).toHaveCount(2);
    await expect(changes.nth(0)).toContainText("Zephyrfirst");
    await expect(changes.nth(1)).toContainText("Zephyrlast");

    // Take the second change only: the page gets the AI's last paragraph, keeps the author's first, and one change is
    // left to take.
    const version = await card.version();
    await changes.nth(1).getByTestId("suggestion-paragraph-take").click();
    await card.expectVersion(version + 1);
    const taken = ["Mine: Zephyrfirst.", suggested[1], suggested[2]].join("\n\n");
    await card.expectText(taken);
    await expect(changes).toHaveCount(1);
    await expect(changes.first()).toContainText("Zephyrfirst");

    // Both are stored: after a reload the page has the taken change and the suggestion the one left.
    await storyPage.reload();
    await card.expectText(taken);
    await card.suggestion.getByTestId("suggestion-view-paragraphs").click();
    await expect(changes).toHaveCount(1);
    // `author` is listed for its effect: the page objects act in a tab signed in as a fresh author.
    void author;
  });
});
