import { expect, test } from "./fixtures";

test.describe("stories list", () => {
  test("a new author sees an empty state, then creates a story", async ({ author, storiesPage }) => {
    await storiesPage.goto();
    await expect(storiesPage.empty).toBeVisible();
    await expect(storiesPage.rows).toHaveCount(0);

    const row = await storiesPage.create("The Salt Road", "Two sisters walk to the sea.");
    await expect(storiesPage.empty).toHaveCount(0);
    await expect(row.link).toHaveText("The Salt Road");
    await expect(row.root).toContainText("Two sisters walk to the sea.");
    await expect(row.pageCount).toHaveText("0 pages");
    await expect(row.updated).toHaveText(/just now/);
    // The exact time is one hover away.
    await expect(row.updated).toHaveAttribute("title", /\d{4}/);
    await expect(row.root).toHaveAttribute("data-story-id", /^[0-9a-f-]{36}$/);
    // The form is ready for the next story.
    await expect(storiesPage.createTitle).toHaveValue("");

    // It is really stored.
    await storiesPage.reload();
    await expect(storiesPage.row("The Salt Road").root).toBeVisible();
  });

  test("a story's language is chosen when creating it and changed from its header", async ({
    author,
    storiesPage,
    storyPage,
  }) => {
    await storiesPage.goto();
    await expect(storiesPage.createLanguage).toHaveValue("en");
    await storiesPage.createLanguage.selectOption({ label: "French" });
    const row = await storiesPage.create("Le Phare");
    await expect(storiesPage.createLanguage).toHaveValue("en");
    await row.open();
    await expect(storyPage.language).toHaveValue("fr");
    await expect(author.page.getByLabel("Story language")).toBeVisible();

    await storyPage.language.selectOption({ label: "Brazilian Portuguese" });
    await expect(storyPage.language).not.toHaveAttribute("aria-busy");
    await storyPage.reload();
    await expect(storyPage.language).toHaveValue("pt-BR");
  });

  test("a story needs a title", async ({ author, storiesPage }) => {
    await storiesPage.goto();
    await storiesPage.submitCreate("   ");
    await expect(author.page.getByLabel("Title")).toHaveAccessibleDescription("A title is required.");
    await expect(storiesPage.rows).toHaveCount(0);
  });

  test("rename a story in place: Enter saves, Escape cancels", async ({ author, storiesPage }) => {
    await storiesPage.goto();
    const row = await storiesPage.create("Working title");

    await row.renameButton.click();
    const input = row.renameInput;
    await expect(input).toBeFocused();
    await expect(input).toHaveValue("Working title");
    await input.fill("Thrown away");
    await input.press("Escape");
    await expect(input).toHaveCount(0);
    await expect(row.link).toHaveText("Working title");
    await expect(row.renameButton).toBeFocused();

    await row.rename("The Lantern Keeper");
    await expect(row.renameInput).toHaveCount(0);
    await expect(row.link).toHaveText("The Lantern Keeper");

    // An empty title is refused and the field stays open.
    await row.rename("");
    await expect(row.root.getByRole("alert")).toHaveText("A title is required.");
    await expect(row.renameInput).toBeVisible();
    await row.renameInput.press("Escape");

    await storiesPage.reload();
    await expect(row.link).toHaveText("The Lantern Keeper");
  });

  test("delete a story only after confirming", async ({ author, storiesPage }) => {
    await storiesPage.goto();
    await storiesPage.create("Keep me");
    const doomed = await storiesPage.create("Delete me");

    await doomed.deleteButton.click();
    const dialog = storiesPage.confirmDialog;
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText("Delete me");
    await storiesPage.dismissConfirm();
    await expect(dialog).toHaveCount(0);
    await expect(storiesPage.rows).toHaveCount(2);

    // Escape is a cancel too.
    await doomed.deleteButton.click();
    await expect(dialog).toBeVisible();
    await author.page.keyboard.press("Escape");
    await expect(dialog).toHaveCount(0);
    await expect(storiesPage.rows).toHaveCount(2);

    await doomed.deleteButton.click();
    await storiesPage.confirm();
    await expect(dialog).toHaveCount(0);
    await expect(storiesPage.rows).toHaveCount(1);
    await expect(storiesPage.rows).toContainText("Keep me");
    await expect(storiesPage.toast("Deleted")).toBeVisible();

    await storiesPage.reload();
    await expect(storiesPage.rows).toHaveCount(1);
    await expect(storiesPage.row("Delete me").root).toHaveCount(0);
  });

  test("the page count follows pages being added and deleted", async ({ author, storiesPage, storyPage }) => {
    await storiesPage.goto();
    const row = await storiesPage.create("Counting pages");
    await row.open();
    await expect(storyPage.title).toHaveText("Counting pages");

    for (let n = 1; n <= 3; n++) {
      await storyPage.addPageWithText("");
      await expect(storyPage.cards).toHaveCount(n);
    }
    await storyPage.card(0).delete();
    await expect(storyPage.cards).toHaveCount(2);

    await storyPage.backToAllStories();
    await expect(author.page).toHaveURL(/\/stories$/);
    await expect(storiesPage.row("Counting pages").pageCount).toHaveText("2 pages");
  });
});
