import { expect, test } from "./fixtures";

/**
 * Tab stops before the first page's text on a story (an author, one model, no translations), counted from the top of
 * the screen, the skip links included: 15 measured (23 before Share, Export, Summarize all and Translate became one
 * toolbar stop, and background revision's instruction waited for a ticked page). With Skip to pages it is one stop and
 * Enter. A cap, so that no control slips in front of the pages unnoticed; the issue asked for fewer than 17.
 */
const MAX_STOPS_BEFORE_FIRST_PAGE = 15;

test.describe("pages", () => {
  test("add a page and edit it with the mouse", async ({ author, storiesPage, storyPage }) => {
    await storiesPage.createStory("Mouse story");
    await expect(storyPage.pagesEmpty).toBeVisible();

    await storyPage.addPageButton.click();
    await expect(storyPage.cards).toHaveCount(1);
    const card = storyPage.card(0);
    await card.expectVersion(1);
    // A new page opens in its editor, with keyboard focus in the text: the author added it to write.
    await expect(card.editor).toBeFocused();
    await expect(card.charCount).toHaveText("0 / 100,000 characters");
    await card.editor.fill("It was a dark and stormy night.");
    await expect(card.charCount).toHaveText("31 / 100,000 characters");
    await card.save();

    await expect(card.editor).toHaveCount(0);
    await card.expectText("It was a dark and stormy night.");
    await card.expectVersion(2);

    // Cancel leaves the page as it was.
    await card.type("Something else entirely");
    await card.cancel();
    await card.expectText("It was a dark and stormy night.");
    await card.expectVersion(2);

    await storyPage.reload();
    await storyPage.expectTexts(["It was a dark and stormy night."]);
  });

  test("edit a page with the keyboard: Enter opens, Ctrl+Enter saves, Escape cancels", async ({
    author,
    storiesPage,
    storyPage,
  }) => {
    const { page } = author;
    await storiesPage.createStory("Keyboard story");
    await storyPage.addPageButton.click();
    const card = storyPage.card(0);

    // The new page is open for typing at once.
    await expect(card.editor).toBeFocused();
    await page.keyboard.type("Typed without a mouse.");
    await page.keyboard.press("Control+Enter");
    await expect(card.editor).toHaveCount(0);
    await card.expectText("Typed without a mouse.");
    await card.expectVersion(2);
    // Focus comes back to the page, so the next Enter opens it again.
    await expect(card.content).toBeFocused();

    await page.keyboard.press("Enter");
    await expect(card.editor).toBeFocused();
    await expect(card.editor).toHaveValue("Typed without a mouse.");
    await page.keyboard.type(" This will be discarded.");
    await page.keyboard.press("Escape");
    await expect(card.editor).toHaveCount(0);
    await card.expectText("Typed without a mouse.");
    await expect(card.content).toBeFocused();
    await card.expectVersion(2);

    // Space opens the editor too.
    await page.keyboard.press("Space");
    await expect(card.editor).toBeFocused();
    await page.keyboard.press("Escape");

    await storyPage.reload();
    await storyPage.expectTexts(["Typed without a mouse."]);
  });

  test("add a page after another one", async ({ author, storiesPage, storyPage }) => {
    await storiesPage.createStory("Insertion story");
    const first = await storyPage.addPageWithText("First");
    await storyPage.addPageWithText("Third");

    await first.addAfter();
    await expect(storyPage.cards).toHaveCount(3);
    const inserted = storyPage.card(1);
    await expect(inserted.editor).toBeFocused();
    await inserted.write("Second");
    await storyPage.expectTexts(["First", "Second", "Third"]);

    await storyPage.reload();
    await storyPage.expectTexts(["First", "Second", "Third"]);
  });

  test("few tab stops before the first page's text; Skip to pages goes straight to it", async ({
    author,
    storiesPage,
    storyPage,
  }) => {
    const { page } = author;
    await storiesPage.createStory("Tab stops", "Counting the keyboard's way in.");
    await storyPage.addPageWithText("The first page.");
    await storyPage.addPageWithText("The second page.");
    const first = storyPage.card(0);
    await storyPage.reload();
    await expect(first.content).toBeVisible();

    // Skip to pages is the first stop; Enter puts focus on the first page's text.
    await page.keyboard.press("Tab");
    await expect(storyPage.skipToPages).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(first.content).toBeFocused();

    // Without it, Tab reaches the text after the header's controls, one stop for the story's tools and one for the
    // page's action row (toolbars: arrows move inside them).
    await storyPage.reload();
    await expect(first.content).toBeVisible();
    let stops = 0;
    while (stops < 40) {
      await page.keyboard.press("Tab");
      stops += 1;
      if (await first.content.evaluate((el) => el === document.activeElement)) break;
    }
    expect(stops - 1).toBeLessThanOrEqual(MAX_STOPS_BEFORE_FIRST_PAGE);

    // The story's tools are one stop: the arrows go along Share, Export, Summarize all and Translate, and wrap.
    const tools = ["members-toggle", "story-export-toggle", "summarize-all-button", "translate-toggle"];
    await page.getByTestId(tools[0]!).focus();
    for (const next of [...tools.slice(1), tools[0]!]) {
      await page.keyboard.press("ArrowRight");
      await expect(page.getByTestId(next)).toBeFocused();
    }
    await page.keyboard.press("End");
    await expect(page.getByTestId("translate-toggle")).toBeFocused();
    // Tab leaves the toolbar; Shift+Tab comes back to the tool last used, the only one in the tab order.
    await page.keyboard.press("Tab");
    await expect(page.getByTestId("translate-toggle")).not.toBeFocused();
    await page.keyboard.press("Shift+Tab");
    await expect(page.getByTestId("translate-toggle")).toBeFocused();
    for (const other of tools.slice(0, 3)) await expect(page.getByTestId(other)).toHaveAttribute("tabindex", "-1");

    // Inside the action row the arrows move; Tab leaves it for the text.
    await first.historyButton.focus();
    await page.keyboard.press("ArrowRight");
    await expect(first.moveUpButton).toBeFocused();
    await page.keyboard.press("End");
    await expect(first.deleteButton).toBeFocused();
    await page.keyboard.press("Tab");
    await expect(first.content).toBeFocused();
  });

  test("reorder pages with Move up / Move down, keeping focus on the moved page", async ({
    author,
    storiesPage,
    storyPage,
  }) => {
    const { page } = author;
    await storiesPage.createStory("Ordering story");
    const a = await storyPage.addPageWithText("Alpha");
    await storyPage.addPageWithText("Bravo");
    await storyPage.addPageWithText("Charlie");

    // At the edges the moves are unavailable.
    await expect(storyPage.card(0).moveUpButton).toBeDisabled();
    await expect(storyPage.lastCard().moveDownButton).toBeDisabled();

    await a.moveDown();
    await storyPage.expectTexts(["Bravo", "Alpha", "Charlie"]);
    await expect(a.moveDownButton).toBeFocused();

    // Keyboard: the focused control keeps working, press after press.
    await page.keyboard.press("Enter");
    await storyPage.expectTexts(["Bravo", "Charlie", "Alpha"]);
    await expect(a.moveDownButton).toBeFocused();
    await expect(a.moveDownButton).toBeDisabled(); // Alpha is last now

    await a.moveUpButton.focus();
    await page.keyboard.press("Enter");
    await storyPage.expectTexts(["Bravo", "Alpha", "Charlie"]);
    await expect(a.moveUpButton).toBeFocused();
    await page.keyboard.press("Enter");
    await storyPage.expectTexts(["Alpha", "Bravo", "Charlie"]);
    await expect(a.moveUpButton).toBeFocused();

    await a.moveDown();
    await storyPage.expectTexts(["Bravo", "Alpha", "Charlie"]);

    // Every move is stored once the list says it is no longer busy.
    await storyPage.expectSettled();
    await storyPage.reload();
    await storyPage.expectTexts(["Bravo", "Alpha", "Charlie"]);
  });

  test("quick repeated moves all land, in order", async ({ author, storiesPage, storyPage }) => {
    const { page } = author;
    await storiesPage.createStory("Quick moves");
    const a = await storyPage.addPageWithText("A");
    await storyPage.addPageWithText("B");
    await storyPage.addPageWithText("C");
    await storyPage.addPageWithText("D");

    await a.moveDownButton.focus();
    // Three presses without waiting for the server in between.
    await page.keyboard.press("Enter");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Enter");
    await storyPage.expectTexts(["B", "C", "D", "A"]);
    await expect(a.moveDownButton).toBeFocused();
    await storyPage.expectSettled();

    await storyPage.reload();
    await storyPage.expectTexts(["B", "C", "D", "A"]);
  });

  test("delete a page and bring it back with Undo", async ({ author, storiesPage, storyPage }) => {
    await storiesPage.createStory("Undo story");
    await storyPage.addPageWithText("One");
    const two = await storyPage.addPageWithText("Two");
    await storyPage.addPageWithText("Three");
    // The header's count follows the list without a reload.
    await expect(storyPage.pageTotal).toHaveText("3 pages");

    await two.delete();
    await storyPage.expectTexts(["One", "Three"]);
    await expect(storyPage.pageTotal).toHaveText("2 pages");
    const toast = storyPage.toast("deleted");
    await expect(toast).toBeVisible();
    await toast.getByTestId("toast-undo").click();
    await storyPage.expectTexts(["One", "Two", "Three"]);
    await expect(storyPage.toast("restored")).toBeVisible();

    await storyPage.reload();
    await storyPage.expectTexts(["One", "Two", "Three"]);

    // Without Undo the page stays deleted.
    await two.delete();
    await storyPage.expectTexts(["One", "Three"]);
    await storyPage.reload();
    await storyPage.expectTexts(["One", "Three"]);
  });

  test("text over the 100,000-character limit is refused with a message", async ({
    author,
    storiesPage,
    storyPage,
  }) => {
    await storiesPage.createStory("Long story");
    await storyPage.addPageWithText("Short and safe.");
    const card = storyPage.card(0);

    await card.type("x".repeat(100_001));
    await expect(card.charCount).toHaveText("100,001 / 100,000 characters");
    await expect(card.error).toContainText("1 character over the limit of 100,000");
    await expect(card.saveButton).toBeDisabled();
    // Ctrl+Enter does not get around it.
    await card.editor.press("Control+Enter");
    await expect(card.editor).toBeVisible();
    await card.expectVersion(2);

    // Exactly at the limit is fine.
    await card.editor.press("Backspace");
    await expect(card.charCount).toHaveText("100,000 / 100,000 characters");
    await expect(card.error).toHaveCount(0);
    await expect(card.saveButton).toBeEnabled();
    await card.editor.press("Escape");

    await storyPage.reload();
    await storyPage.expectTexts(["Short and safe."]);
  });

  test("a stale save from a second tab gets the conflict and overwrites nothing; Keep mine saves on top", async ({
    author,
    storiesPage,
    storyPage,
  }) => {
    await storiesPage.createStory("Two tabs");
    const mine = await storyPage.addPageWithText("Original text");
    const pageId = await mine.id();

    const other = await storyPage.openInNewTab();
    // Both tabs start editing version 2.
    const card = other.cardById(pageId);
    await card.type("My text from the second tab");

    await mine.write("Their text from the first tab");
    await mine.expectVersion(3);

    await card.save();
    await expect(card.conflict).toBeVisible();
    await expect(card.conflict).toContainText("changed in another tab or by someone else");
    await expect(card.conflictTheirText).toHaveText("Their text from the first tab");
    // The author's text is still in the editor, and Save waits for a decision.
    await expect(card.editor).toHaveValue("My text from the second tab");
    await expect(card.saveButton).toBeDisabled();

    // Nothing was overwritten.
    await storyPage.reload();
    await mine.expectText("Their text from the first tab");
    await mine.expectVersion(3);

    await card.keepMine();
    await expect(card.editor).toHaveCount(0);
    await card.expectText("My text from the second tab");
    await card.expectVersion(4);

    // Their version is still in the history.
    await storyPage.reload();
    await mine.expectText("My text from the second tab");
    const history = await mine.openHistory();
    await expect(history.items).toHaveCount(4);
    await history.select(3);
    await expect(history.preview).toHaveText("Their text from the first tab");
    await other.close();
  });

  test("in a conflict, Use their version discards my text and loads theirs", async ({
    author,
    storiesPage,
    storyPage,
  }) => {
    await storiesPage.createStory("Their version wins");
    const mine = await storyPage.addPageWithText("Start");

    const other = await storyPage.openInNewTab();
    const card = other.cardById(await mine.id());
    await card.type("Mine, to be discarded");

    await mine.write("Theirs, to be kept");

    await card.editor.press("Control+Enter");
    await expect(card.conflict).toBeVisible();
    await expect(card.editor).toHaveValue("Mine, to be discarded");
    await card.useTheirs();
    await expect(card.editor).toHaveCount(0);
    await card.expectText("Theirs, to be kept");
    await card.expectVersion(3);

    await other.reload();
    await card.expectText("Theirs, to be kept");
    await card.expectVersion(3);
    await other.close();
  });

  test("a failed save keeps the author's text and says why", async ({ author, storiesPage, storyPage }) => {
    await storiesPage.createStory("Deleted meanwhile");
    const doomed = await storyPage.addPageWithText("Soon gone");

    const other = await storyPage.openInNewTab();
    const card = other.cardById(await doomed.id());
    await card.type("Words I do not want to lose");

    await doomed.delete();
    await expect(storyPage.cards).toHaveCount(0);

    await card.save();
    await expect(card.error).toContainText("deleted");
    await expect(card.editor).toHaveValue("Words I do not want to lose");
    await expect(card.saveButton).toBeEnabled();
    await other.close();
  });

  test("restore an older version from the page history", async ({ author, storiesPage, storyPage }) => {
    await storiesPage.createStory("History story");
    const card = await storyPage.addPageWithText("First draft");
    await card.write("Second draft");
    await card.expectVersion(3);

    const history = await card.openHistory();
    await expect(history.root).toBeVisible();
    await expect(history.items).toHaveCount(3);
    await expect(history.items.first()).toHaveAttribute("data-version", "3");
    await expect(history.items.first()).toContainText(author.user.name);
    await expect(history.items.first()).toContainText("Human");
    // The newest version is selected and is the current text: nothing to restore.
    await expect(history.preview).toHaveText("Second draft");
    await expect(history.restoreButton).toBeDisabled();

    await history.select(2);
    await expect(history.preview).toHaveText("First draft");
    await history.restore();

    // Restoring adds a version; the list and the page follow.
    await expect(history.items).toHaveCount(4);
    await expect(history.items.first()).toHaveAttribute("data-version", "4");
    await expect(history.preview).toHaveText("First draft");
    await card.expectText("First draft");
    await card.expectVersion(4);

    await history.close();
    await expect(history.root).toHaveCount(0);
    await expect(card.historyButton).toBeFocused();

    await storyPage.reload();
    await card.expectText("First draft");
    await card.expectVersion(4);
  });

  test("title and description are edited in place", async ({ author, storiesPage, storyPage }) => {
    const { page } = author;
    await storiesPage.createStory("Old title");

    await storyPage.title.click();
    await expect(storyPage.titleInput).toBeFocused();
    await storyPage.titleInput.fill("New title");
    await storyPage.titleInput.press("Enter");
    await expect(storyPage.title).toHaveText("New title");

    await storyPage.title.click();
    await storyPage.titleInput.fill("Not this one");
    await storyPage.titleInput.press("Escape");
    await expect(storyPage.title).toHaveText("New title");
    await expect(storyPage.title).toBeFocused();

    await storyPage.title.click();
    await storyPage.titleInput.fill("");
    await storyPage.titleInput.press("Enter");
    await expect(page.getByRole("alert").filter({ hasText: "A title is required." })).toBeVisible();
    await storyPage.titleInput.press("Escape");
    await expect(storyPage.title).toBeFocused();

    // Keyboard: focus and Enter opens the description; leaving the field saves it.
    await storyPage.description.focus();
    await page.keyboard.press("Enter");
    await expect(storyPage.descriptionInput).toBeFocused();
    await storyPage.descriptionInput.fill("A story about renaming things.");
    await storyPage.descriptionInput.blur();
    await expect(storyPage.description).toHaveText("A story about renaming things.");

    await storyPage.reload();
    await expect(storyPage.title).toHaveText("New title");
    await expect(storyPage.description).toHaveText("A story about renaming things.");
  });
});
