import type { Locator, Page } from "@playwright/test";
import { createStory, expect, test } from "./fixtures";

const cards = (page: Page) => page.getByTestId("page-card");
const contents = (page: Page) => page.getByTestId("page-content");
const cardById = (page: Page, id: string) => page.locator(`[data-testid="page-card"][data-page-id="${id}"]`);

/** Adds a page at the end and writes its text; returns the new page's id. */
async function addPage(page: Page, text: string): Promise<string> {
  const before = await cards(page).count();
  await page.getByTestId("page-add-end").click();
  await expect(cards(page)).toHaveCount(before + 1);
  const card = cards(page).last();
  const id = (await card.getAttribute("data-page-id"))!;
  if (text) await writePage(cardById(page, id), text);
  return id;
}

async function writePage(card: Locator, text: string) {
  await card.getByTestId("page-content").click();
  await card.getByTestId("page-editor").fill(text);
  await card.getByTestId("page-save").click();
  await expect(card.getByTestId("page-editor")).toHaveCount(0);
  await expect(card.getByTestId("page-content")).toHaveText(text);
}

test.describe("pages", () => {
  test("add a page and edit it with the mouse", async ({ author }) => {
    const { page } = author;
    await createStory(page, "Mouse story");
    await expect(page.getByTestId("pages-empty")).toBeVisible();

    await page.getByTestId("page-add-end").click();
    await expect(cards(page)).toHaveCount(1);
    const card = cards(page).first();
    await expect(card).toHaveAttribute("data-version", "1");
    // The new page has keyboard focus, ready to be opened.
    await expect(card.getByTestId("page-content")).toBeFocused();

    await card.getByTestId("page-content").click();
    const editor = card.getByTestId("page-editor");
    await expect(editor).toBeFocused();
    await expect(card.getByTestId("page-char-count")).toHaveText("0 / 100,000 characters");
    await editor.fill("It was a dark and stormy night.");
    await expect(card.getByTestId("page-char-count")).toHaveText("31 / 100,000 characters");
    await card.getByTestId("page-save").click();

    await expect(editor).toHaveCount(0);
    await expect(card.getByTestId("page-content")).toHaveText("It was a dark and stormy night.");
    await expect(card).toHaveAttribute("data-version", "2");

    // Cancel leaves the page as it was.
    await card.getByTestId("page-content").click();
    await editor.fill("Something else entirely");
    await card.getByTestId("page-cancel").click();
    await expect(card.getByTestId("page-content")).toHaveText("It was a dark and stormy night.");
    await expect(card).toHaveAttribute("data-version", "2");

    await page.reload();
    await expect(contents(page)).toHaveText(["It was a dark and stormy night."]);
  });

  test("edit a page with the keyboard: Enter opens, Ctrl+Enter saves, Escape cancels", async ({ author }) => {
    const { page } = author;
    await createStory(page, "Keyboard story");
    await page.getByTestId("page-add-end").click();
    const card = cards(page).first();
    const content = card.getByTestId("page-content");
    const editor = card.getByTestId("page-editor");

    await content.focus();
    await page.keyboard.press("Enter");
    await expect(editor).toBeFocused();
    await page.keyboard.type("Typed without a mouse.");
    await page.keyboard.press("Control+Enter");
    await expect(editor).toHaveCount(0);
    await expect(content).toHaveText("Typed without a mouse.");
    await expect(card).toHaveAttribute("data-version", "2");
    // Focus comes back to the page, so the next Enter opens it again.
    await expect(content).toBeFocused();

    await page.keyboard.press("Enter");
    await expect(editor).toBeFocused();
    await expect(editor).toHaveValue("Typed without a mouse.");
    await page.keyboard.type(" This will be discarded.");
    await page.keyboard.press("Escape");
    await expect(editor).toHaveCount(0);
    await expect(content).toHaveText("Typed without a mouse.");
    await expect(content).toBeFocused();
    await expect(card).toHaveAttribute("data-version", "2");

    // Space opens the editor too.
    await page.keyboard.press("Space");
    await expect(editor).toBeFocused();
    await page.keyboard.press("Escape");

    await page.reload();
    await expect(contents(page)).toHaveText(["Typed without a mouse."]);
  });

  test("add a page after another one", async ({ author }) => {
    const { page } = author;
    await createStory(page, "Insertion story");
    const first = await addPage(page, "First");
    await addPage(page, "Third");

    await cardById(page, first).getByTestId("page-add-after").click();
    await expect(cards(page)).toHaveCount(3);
    const inserted = cards(page).nth(1);
    await expect(inserted.getByTestId("page-content")).toBeFocused();
    await writePage(inserted, "Second");
    await expect(contents(page)).toHaveText(["First", "Second", "Third"]);

    await page.reload();
    await expect(contents(page)).toHaveText(["First", "Second", "Third"]);
  });

  test("reorder pages with Move up / Move down, keeping focus on the moved page", async ({ author }) => {
    const { page } = author;
    await createStory(page, "Ordering story");
    const a = await addPage(page, "Alpha");
    await addPage(page, "Bravo");
    await addPage(page, "Charlie");

    // At the edges the moves are unavailable.
    await expect(cards(page).first().getByTestId("page-move-up")).toBeDisabled();
    await expect(cards(page).last().getByTestId("page-move-down")).toBeDisabled();

    const down = cardById(page, a).getByTestId("page-move-down");
    await down.click();
    await expect(contents(page)).toHaveText(["Bravo", "Alpha", "Charlie"]);
    await expect(down).toBeFocused();

    // Keyboard: the focused control keeps working, press after press.
    await page.keyboard.press("Enter");
    await expect(contents(page)).toHaveText(["Bravo", "Charlie", "Alpha"]);
    await expect(down).toBeFocused();
    await expect(down).toBeDisabled(); // Alpha is last now

    const up = cardById(page, a).getByTestId("page-move-up");
    await up.focus();
    await page.keyboard.press("Enter");
    await expect(contents(page)).toHaveText(["Bravo", "Alpha", "Charlie"]);
    await expect(up).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(contents(page)).toHaveText(["Alpha", "Bravo", "Charlie"]);
    await expect(up).toBeFocused();

    await cardById(page, a).getByTestId("page-move-down").click();
    await expect(contents(page)).toHaveText(["Bravo", "Alpha", "Charlie"]);

    // Every move is stored once the list says it is no longer busy.
    await expect(page.getByTestId("page-list")).not.toHaveAttribute("aria-busy", "true");
    await page.reload();
    await expect(contents(page)).toHaveText(["Bravo", "Alpha", "Charlie"]);
  });

  test("quick repeated moves all land, in order", async ({ author }) => {
    const { page } = author;
    await createStory(page, "Quick moves");
    const a = await addPage(page, "A");
    await addPage(page, "B");
    await addPage(page, "C");
    await addPage(page, "D");

    const down = cardById(page, a).getByTestId("page-move-down");
    await down.focus();
    // Three presses without waiting for the server in between.
    await page.keyboard.press("Enter");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Enter");
    await expect(contents(page)).toHaveText(["B", "C", "D", "A"]);
    await expect(down).toBeFocused();
    await expect(page.getByTestId("page-list")).not.toHaveAttribute("aria-busy", "true");

    await page.reload();
    await expect(contents(page)).toHaveText(["B", "C", "D", "A"]);
  });

  test("delete a page and bring it back with Undo", async ({ author }) => {
    const { page } = author;
    await createStory(page, "Undo story");
    await addPage(page, "One");
    const two = await addPage(page, "Two");
    await addPage(page, "Three");

    await cardById(page, two).getByTestId("page-delete").click();
    await expect(contents(page)).toHaveText(["One", "Three"]);
    const toast = page.getByTestId("toast").filter({ hasText: "deleted" });
    await expect(toast).toBeVisible();
    await toast.getByTestId("toast-undo").click();
    await expect(contents(page)).toHaveText(["One", "Two", "Three"]);
    await expect(page.getByTestId("toast").filter({ hasText: "restored" })).toBeVisible();

    await page.reload();
    await expect(contents(page)).toHaveText(["One", "Two", "Three"]);

    // Without Undo the page stays deleted.
    await cardById(page, two).getByTestId("page-delete").click();
    await expect(contents(page)).toHaveText(["One", "Three"]);
    await page.reload();
    await expect(contents(page)).toHaveText(["One", "Three"]);
  });

  test("text over the 100,000-character limit is refused with a message", async ({ author }) => {
    const { page } = author;
    await createStory(page, "Long story");
    await addPage(page, "Short and safe.");
    const card = cards(page).first();

    await card.getByTestId("page-content").click();
    const editor = card.getByTestId("page-editor");
    await editor.fill("x".repeat(100_001));
    await expect(card.getByTestId("page-char-count")).toHaveText("100,001 / 100,000 characters");
    await expect(card.getByTestId("page-error")).toContainText("1 character over the limit of 100,000");
    await expect(card.getByTestId("page-save")).toBeDisabled();
    // Ctrl+Enter does not get around it.
    await editor.press("Control+Enter");
    await expect(editor).toBeVisible();
    await expect(card).toHaveAttribute("data-version", "2");

    // Exactly at the limit is fine.
    await editor.press("Backspace");
    await expect(card.getByTestId("page-char-count")).toHaveText("100,000 / 100,000 characters");
    await expect(card.getByTestId("page-error")).toHaveCount(0);
    await expect(card.getByTestId("page-save")).toBeEnabled();
    await editor.press("Escape");

    await page.reload();
    await expect(contents(page)).toHaveText(["Short and safe."]);
  });

  test("a stale save from a second tab gets the conflict and overwrites nothing; Keep mine saves on top", async ({
    author,
  }) => {
    const { page } = author;
    const storyId = await createStory(page, "Two tabs");
    const pageId = await addPage(page, "Original text");

    const other = await page.context().newPage();
    await other.goto(`/stories/${storyId}`);
    // Both tabs start editing version 2.
    await cardById(other, pageId).getByTestId("page-content").click();
    await cardById(other, pageId).getByTestId("page-editor").fill("My text from the second tab");

    await writePage(cardById(page, pageId), "Their text from the first tab");
    await expect(cardById(page, pageId)).toHaveAttribute("data-version", "3");

    const card = cardById(other, pageId);
    await card.getByTestId("page-save").click();
    const conflict = card.getByTestId("page-conflict");
    await expect(conflict).toBeVisible();
    await expect(conflict).toContainText("changed in another tab or by someone else");
    await expect(card.getByTestId("conflict-their-text")).toHaveText("Their text from the first tab");
    // The author's text is still in the editor, and Save waits for a decision.
    await expect(card.getByTestId("page-editor")).toHaveValue("My text from the second tab");
    await expect(card.getByTestId("page-save")).toBeDisabled();

    // Nothing was overwritten.
    await page.reload();
    await expect(cardById(page, pageId).getByTestId("page-content")).toHaveText("Their text from the first tab");
    await expect(cardById(page, pageId)).toHaveAttribute("data-version", "3");

    await card.getByTestId("conflict-keep-mine").click();
    await expect(card.getByTestId("page-editor")).toHaveCount(0);
    await expect(card.getByTestId("page-content")).toHaveText("My text from the second tab");
    await expect(card).toHaveAttribute("data-version", "4");

    // Their version is still in the history.
    await page.reload();
    await expect(cardById(page, pageId).getByTestId("page-content")).toHaveText("My text from the second tab");
    await cardById(page, pageId).getByTestId("page-history").click();
    await expect(page.getByTestId("history-item")).toHaveCount(4);
    await page.locator('[data-testid="history-item"][data-version="3"]').click();
    await expect(page.getByTestId("history-preview")).toHaveText("Their text from the first tab");
    await other.close();
  });

  test("in a conflict, Use their version discards my text and loads theirs", async ({ author }) => {
    const { page } = author;
    const storyId = await createStory(page, "Their version wins");
    const pageId = await addPage(page, "Start");

    const other = await page.context().newPage();
    await other.goto(`/stories/${storyId}`);
    const card = cardById(other, pageId);
    await card.getByTestId("page-content").click();
    await card.getByTestId("page-editor").fill("Mine, to be discarded");

    await writePage(cardById(page, pageId), "Theirs, to be kept");

    await card.getByTestId("page-editor").press("Control+Enter");
    await expect(card.getByTestId("page-conflict")).toBeVisible();
    await expect(card.getByTestId("page-editor")).toHaveValue("Mine, to be discarded");
    await card.getByTestId("conflict-use-theirs").click();
    await expect(card.getByTestId("page-editor")).toHaveCount(0);
    await expect(card.getByTestId("page-content")).toHaveText("Theirs, to be kept");
    await expect(card).toHaveAttribute("data-version", "3");

    await other.reload();
    await expect(cardById(other, pageId).getByTestId("page-content")).toHaveText("Theirs, to be kept");
    await expect(cardById(other, pageId)).toHaveAttribute("data-version", "3");
    await other.close();
  });

  test("a failed save keeps the author's text and says why", async ({ author }) => {
    const { page } = author;
    const storyId = await createStory(page, "Deleted meanwhile");
    const pageId = await addPage(page, "Soon gone");

    const other = await page.context().newPage();
    await other.goto(`/stories/${storyId}`);
    const card = cardById(other, pageId);
    await card.getByTestId("page-content").click();
    await card.getByTestId("page-editor").fill("Words I do not want to lose");

    await cardById(page, pageId).getByTestId("page-delete").click();
    await expect(cards(page)).toHaveCount(0);

    await card.getByTestId("page-save").click();
    await expect(card.getByTestId("page-error")).toContainText("deleted");
    await expect(card.getByTestId("page-editor")).toHaveValue("Words I do not want to lose");
    await expect(card.getByTestId("page-save")).toBeEnabled();
    await other.close();
  });

  test("restore an older version from the page history", async ({ author }) => {
    const { page } = author;
    await createStory(page, "History story");
    const pageId = await addPage(page, "First draft");
    const card = cardById(page, pageId);
    await writePage(card, "Second draft");
    await expect(card).toHaveAttribute("data-version", "3");

    await card.getByTestId("page-history").click();
    const panel = page.getByTestId("history-panel");
    await expect(panel).toBeVisible();
    const items = panel.getByTestId("history-item");
    await expect(items).toHaveCount(3);
    await expect(items.first()).toHaveAttribute("data-version", "3");
    await expect(items.first()).toContainText(author.user.name);
    await expect(items.first()).toContainText("Human");
    // The newest version is selected and is the current text: nothing to restore.
    await expect(panel.getByTestId("history-preview")).toHaveText("Second draft");
    await expect(panel.getByTestId("history-restore")).toBeDisabled();

    await panel.locator('[data-testid="history-item"][data-version="2"]').click();
    await expect(panel.getByTestId("history-preview")).toHaveText("First draft");
    await panel.getByTestId("history-restore").click();

    // Restoring adds a version; the list and the page follow.
    await expect(items).toHaveCount(4);
    await expect(items.first()).toHaveAttribute("data-version", "4");
    await expect(panel.getByTestId("history-preview")).toHaveText("First draft");
    await expect(card.getByTestId("page-content")).toHaveText("First draft");
    await expect(card).toHaveAttribute("data-version", "4");

    await panel.getByTestId("history-close").click();
    await expect(panel).toHaveCount(0);
    await expect(card.getByTestId("page-history")).toBeFocused();

    await page.reload();
    await expect(cardById(page, pageId).getByTestId("page-content")).toHaveText("First draft");
    await expect(cardById(page, pageId)).toHaveAttribute("data-version", "4");
  });

  test("title and description are edited in place", async ({ author }) => {
    const { page } = author;
    await createStory(page, "Old title");

    await page.getByTestId("story-title").click();
    const titleInput = page.getByTestId("story-title-input");
    await expect(titleInput).toBeFocused();
    await titleInput.fill("New title");
    await titleInput.press("Enter");
    await expect(page.getByTestId("story-title")).toHaveText("New title");

    await page.getByTestId("story-title").click();
    await titleInput.fill("Not this one");
    await titleInput.press("Escape");
    await expect(page.getByTestId("story-title")).toHaveText("New title");
    await expect(page.getByTestId("story-title")).toBeFocused();

    await page.getByTestId("story-title").click();
    await titleInput.fill("");
    await titleInput.press("Enter");
    await expect(page.getByRole("alert").filter({ hasText: "A title is required." })).toBeVisible();
    await titleInput.press("Escape");

    // Keyboard: focus and Enter opens the description; leaving the field saves it.
    await page.getByTestId("story-description").focus();
    await page.keyboard.press("Enter");
    const description = page.getByTestId("story-description-input");
    await expect(description).toBeFocused();
    await description.fill("A story about renaming things.");
    await description.blur();
    await expect(page.getByTestId("story-description")).toHaveText("A story about renaming things.");

    await page.reload();
    await expect(page.getByTestId("story-title")).toHaveText("New title");
    await expect(page.getByTestId("story-description")).toHaveText("A story about renaming things.");
  });
});
