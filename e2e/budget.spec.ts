import { createStory, e2eAdmin, expect, signIn, test } from "./fixtures";

// Budgets: an admin gives an author a tiny daily token budget on /admin/users; the author sees what is left next to
// Generate, spends it, is refused with a message saying when it resets, and can generate again once the admin
// clears the budget. Nothing here depends on wall-clock time beyond "today".
test.describe.configure({ timeout: 120_000 });
const JOB = { timeout: 60_000 };

test("an admin sets an author's daily budget; the author sees it, spends it and is refused until it is lifted", async ({ author, browser }) => {
  const { page, user } = author;
  await createStory(page, "The Budgeted Lighthouse", "A keeper counts every drop of oil.");
  await page.getByTestId("page-add-end").click();

  const context = await browser.newContext();
  const admin = await context.newPage();
  await signIn(admin, e2eAdmin());
  await admin.getByTestId("nav-admin-users").click();
  await admin.waitForURL(/\/admin\/users$/);
  const row = admin.getByTestId("admin-user-row").filter({ hasText: user.email });
  await expect(row).toBeVisible();

  // Bad input is explained and saves nothing.
  await row.getByTestId("admin-user-token-budget").fill("lots");
  await row.getByTestId("admin-user-save").click();
  await expect(row.getByTestId("admin-user-error")).toBeVisible();

  await row.getByTestId("admin-user-token-budget").fill("1");
  await row.getByTestId("admin-user-save").click();
  await expect(row.getByRole("status")).toHaveText("Saved");

  // The author sees the budget next to the button; one job may still start (the budget is not used up yet).
  const card = page.getByTestId("page-card").first();
  await card.getByTestId("page-content").click();
  await expect(card.getByTestId("ai-budget")).toHaveText(/1 tokens left today/);
  await card.getByTestId("generate-button").click();
  await expect(card.getByTestId("generate-status")).toHaveAttribute("data-status", "succeeded", JOB);

  // That job used more than the budget: nothing left, and the next request is refused before any job exists.
  await expect(card.getByTestId("ai-budget")).toHaveText(/^0 tokens left today/);
  const textBefore = await card.getByTestId("page-editor").inputValue();
  await card.getByTestId("generate-button").click();
  await expect(card.getByTestId("generate-error")).toContainText("You have used your AI budget for today");
  await expect(card.getByTestId("generate-error")).toContainText("resets at 00:00 UTC");
  await expect(card.getByTestId("page-editor")).toHaveValue(textBefore);
  await expect(card.getByTestId("page-editor")).toBeEditable();

  // The admin sees the author's usage and lifts the budget (blank = the server default, unlimited here).
  await admin.reload();
  await expect(row.getByTestId("admin-user-usage")).toContainText("1 jobs");
  await row.getByTestId("admin-user-token-budget").fill("");
  await row.getByTestId("admin-user-save").click();
  await expect(row.getByRole("status")).toHaveText("Saved");

  await card.getByTestId("generate-retry").click();
  await expect(card.getByTestId("generate-status")).toHaveAttribute("data-status", "succeeded", JOB);
  await context.close();
});
