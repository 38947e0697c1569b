import { expect, test } from "./fixtures";

test.describe("unsaved drafts", () => {
  test("text typed but never saved survives a reload: restore it, or discard it", async ({
    author,
    storiesPage,
    storyPage,
  }) => {
    const { page } = author;
    // Leaving a page with unsaved text asks first; the reload below is meant.
    page.on("dialog", (dialog) => void dialog.accept());
    await storiesPage.createStory("Draft story");
    const card = await storyPage.addPageWithText("The lighthouse stood alone.");

    await card.open();
    await card.editor.fill("The lighthouse stood alone. Nobody had lit it for years.");
    await expect(card.wordCount).toHaveText("10 words");
    await expect
      .poll(() => page.evaluate(() => Object.keys(localStorage).filter((k) => k.includes("page-draft")).length))
      .toBe(1);
    await storyPage.reload();

    const restored = storyPage.card(0);
    await restored.expectText("The lighthouse stood alone.");
    await expect(restored.unsavedDraft).toBeVisible();
    await restored.unsavedDraft.getByRole("button", { name: "Restore" }).click();
    await expect(restored.editor).toHaveValue("The lighthouse stood alone. Nobody had lit it for years.");
    // Ctrl+S saves, like in any editor.
    await restored.editor.press("Control+s");
    await expect(restored.editor).toHaveCount(0);
    await restored.expectText("The lighthouse stood alone. Nobody had lit it for years.");
    await expect(restored.unsavedDraft).toHaveCount(0);

    // Discard drops the kept text for good.
    await restored.open();
    await restored.editor.fill("A sentence I will throw away.");
    await expect
      .poll(() => page.evaluate(() => Object.keys(localStorage).filter((k) => k.includes("page-draft")).length))
      .toBe(1);
    await storyPage.reload();
    const again = storyPage.card(0);
    await again.unsavedDraft.getByRole("button", { name: "Discard" }).click();
    await expect(again.unsavedDraft).toHaveCount(0);
    await again.expectText("The lighthouse stood alone. Nobody had lit it for years.");
    await storyPage.reload();
    await storyPage.expectTexts(["The lighthouse stood alone. Nobody had lit it for years."]);
    await expect(storyPage.card(0).unsavedDraft).toHaveCount(0);
  });

  test("a restored draft typed over an older version shows the conflict instead of overwriting", async ({
    author,
    storiesPage,
    storyPage,
  }) => {
    const { page } = author;
    page.on("dialog", (dialog) => void dialog.accept());
    const storyId = await storiesPage.createStory("Draft conflict");
    const card = await storyPage.addPageWithText("Version one.");
    await card.open();
    await card.editor.fill("My unsaved words.");
    await expect
      .poll(() => page.evaluate(() => Object.keys(localStorage).filter((k) => k.includes("page-draft")).length))
      .toBe(1);

    // Meanwhile the page is changed in a second tab.
    const other = await page.context().newPage();
    await other.goto(`/stories/${storyId}`);
    await other.getByTestId("page-content").first().click();
    await other.getByTestId("page-editor").fill("Their newer text.");
    await other.getByTestId("page-save").click();
    await expect(other.getByTestId("page-content").first()).toHaveText("Their newer text.");
    await other.close();

    await storyPage.reload();
    const restored = storyPage.card(0);
    await restored.unsavedDraft.getByRole("button", { name: "Restore" }).click();
    await restored.save();
    await expect(restored.conflict).toBeVisible();
    await expect(restored.conflictTheirText).toHaveText("Their newer text.");
    await expect(restored.editor).toHaveValue("My unsaved words.");
  });
});
