import { expect, test } from "./fixtures";

// Budgets: an admin gives an author a tiny daily token budget on /admin/users; the author sees what is left next to
// Generate, spends it, is refused with a message saying when it resets, and can generate again once the admin
// clears the budget. Nothing here depends on wall-clock time beyond "today".
test.describe.configure({ timeout: 120_000 });

test("an admin sets an author's daily budget; the author sees it, spends it and is refused until it is lifted", async ({
  author,
  storiesPage,
  storyPage,
  admin,
}) => {
  await storiesPage.createStory("The Budgeted Lighthouse", "A keeper counts every drop of oil.");
  // Added and closed: the AI budget beside Generate is read when the editor opens, after the admin's change.
  await storyPage.addPageWithText("");

  await admin.users.goto();
  const row = admin.users.row(author.user.email);
  await expect(row.root).toBeVisible();

  // Bad input is explained and saves nothing.
  await row.setTokenBudget("lots");
  await expect(row.error).toBeVisible();

  await row.setTokenBudget("1");
  await expect(row.status).toHaveText("Saved");

  // The author sees the budget next to the button; one job may still start (the budget is not used up yet).
  const card = storyPage.card(0);
  await card.open();
  await expect(card.ai.budget).toHaveText(/1 tokens left today/);
  await card.generate();
  await card.ai.expectSucceeded();

  // That job used more than the budget: nothing left, and the next request is refused before any job exists.
  await expect(card.ai.budget).toHaveText(/^0 tokens left today/);
  // Generate is disabled, saying why and when it can run again; focus stays on the button and the text is untouched.
  const textBefore = await card.editorText();
  await expect(card.ai.button).toBeDisabled();
  await expect(card.ai.disabledReason).toContainText(/Your AI budget for today is used up\. It resets (tomorrow )?at/);
  await expect(card.ai.button).toHaveAccessibleDescription(/Your AI budget for today is used up/);
  await card.ai.button.focus();
  await card.ai.button.press("Enter");
  await expect(card.ai.button).toBeFocused();
  await expect(card.ai.error).toHaveCount(0);
  await expect(card.editor).toHaveValue(textBefore);
  await expect(card.editor).toBeEditable();

  // An edit now: its summary cannot be written either (the author pays for it), and the story says so without the
  // author opening the page's summary. The summary job is debounced: the story page is read again until it shows.
  await card.write("The keeper counted the oil again. There was less of it than the day before.");
  await expect(async () => {
    await storyPage.reload();
    await expect(storyPage.summarizeAll.budgetWaits).toContainText("The summary of page 1 is not refreshed", {
      timeout: 2_000,
    });
  }).toPass({ timeout: 60_000 });

  // The admin sees the author's usage and lifts the budget (blank = the server default, unlimited here).
  await admin.users.reload();
  await expect(row.usage).toContainText("1 jobs");
  await row.setTokenBudget("");
  await expect(row.status).toHaveText("Saved");

  // Back on the page, the author can generate again.
  await storyPage.reload();
  await card.open();
  await expect(card.ai.disabledReason).toHaveCount(0);
  await card.generate();
  await card.ai.expectSucceeded();
});
