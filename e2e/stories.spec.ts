import { expect, test } from "./fixtures";
import type { Page } from "@playwright/test";

async function createFromList(page: Page, title: string, description = "") {
  await page.getByTestId("story-create-title").fill(title);
  if (description) await page.getByTestId("story-create-description").fill(description);
  await page.getByTestId("story-create-submit").click();
  const row = page.getByTestId("story-row").filter({ hasText: title });
  await expect(row).toBeVisible();
  return row;
}

test.describe("stories list", () => {
  test("a new author sees an empty state, then creates a story", async ({ author }) => {
    const { page } = author;
    await page.goto("/stories");
    await expect(page.getByTestId("stories-empty")).toBeVisible();
    await expect(page.getByTestId("story-row")).toHaveCount(0);

    const row = await createFromList(page, "The Salt Road", "Two sisters walk to the sea.");
    await expect(page.getByTestId("stories-empty")).toHaveCount(0);
    await expect(row.getByTestId("story-link")).toHaveText("The Salt Road");
    await expect(row).toContainText("Two sisters walk to the sea.");
    await expect(row.getByTestId("story-page-count")).toHaveText("0 pages");
    await expect(row.getByTestId("story-updated")).toHaveText(/just now/);
    // The exact time is one hover away.
    await expect(row.getByTestId("story-updated")).toHaveAttribute("title", /\d{4}/);
    await expect(row).toHaveAttribute("data-story-id", /^[0-9a-f-]{36}$/);
    // The form is ready for the next story.
    await expect(page.getByTestId("story-create-title")).toHaveValue("");

    // It is really stored.
    await page.reload();
    await expect(page.getByTestId("story-row").filter({ hasText: "The Salt Road" })).toBeVisible();
  });

  test("a story needs a title", async ({ author }) => {
    const { page } = author;
    await page.goto("/stories");
    await page.getByTestId("story-create-title").fill("   ");
    await page.getByTestId("story-create-submit").click();
    await expect(page.getByLabel("Title")).toHaveAccessibleDescription("A title is required.");
    await expect(page.getByTestId("story-row")).toHaveCount(0);
  });

  test("rename a story in place: Enter saves, Escape cancels", async ({ author }) => {
    const { page } = author;
    await page.goto("/stories");
    const row = await createFromList(page, "Working title");
    const storyId = await row.getAttribute("data-story-id");
    const sameRow = page.locator(`[data-testid="story-row"][data-story-id="${storyId}"]`);

    await sameRow.getByTestId("story-rename").click();
    const input = sameRow.getByTestId("story-rename-input");
    await expect(input).toBeFocused();
    await expect(input).toHaveValue("Working title");
    await input.fill("Thrown away");
    await input.press("Escape");
    await expect(input).toHaveCount(0);
    await expect(sameRow.getByTestId("story-link")).toHaveText("Working title");
    await expect(sameRow.getByTestId("story-rename")).toBeFocused();

    await sameRow.getByTestId("story-rename").click();
    await sameRow.getByTestId("story-rename-input").fill("The Lantern Keeper");
    await sameRow.getByTestId("story-rename-input").press("Enter");
    await expect(sameRow.getByTestId("story-rename-input")).toHaveCount(0);
    await expect(sameRow.getByTestId("story-link")).toHaveText("The Lantern Keeper");

    // An empty title is refused and the field stays open.
    await sameRow.getByTestId("story-rename").click();
    await sameRow.getByTestId("story-rename-input").fill("");
    await sameRow.getByTestId("story-rename-input").press("Enter");
    await expect(sameRow.getByRole("alert")).toHaveText("A title is required.");
    await expect(sameRow.getByTestId("story-rename-input")).toBeVisible();
    await sameRow.getByTestId("story-rename-input").press("Escape");

    await page.reload();
    await expect(sameRow.getByTestId("story-link")).toHaveText("The Lantern Keeper");
  });

  test("delete a story only after confirming", async ({ author }) => {
    const { page } = author;
    await page.goto("/stories");
    await createFromList(page, "Keep me");
    const doomed = await createFromList(page, "Delete me");

    await doomed.getByTestId("story-delete").click();
    const dialog = page.getByTestId("confirm-dialog");
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText("Delete me");
    await page.getByTestId("confirm-cancel").click();
    await expect(dialog).toHaveCount(0);
    await expect(page.getByTestId("story-row")).toHaveCount(2);

    // Escape is a cancel too.
    await doomed.getByTestId("story-delete").click();
    await expect(dialog).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(dialog).toHaveCount(0);
    await expect(page.getByTestId("story-row")).toHaveCount(2);

    await doomed.getByTestId("story-delete").click();
    await page.getByTestId("confirm-accept").click();
    await expect(dialog).toHaveCount(0);
    await expect(page.getByTestId("story-row")).toHaveCount(1);
    await expect(page.getByTestId("story-row")).toContainText("Keep me");
    await expect(page.getByTestId("toast").filter({ hasText: "Deleted" })).toBeVisible();

    await page.reload();
    await expect(page.getByTestId("story-row")).toHaveCount(1);
    await expect(page.getByTestId("story-row").filter({ hasText: "Delete me" })).toHaveCount(0);
  });

  test("the page count follows pages being added and deleted", async ({ author }) => {
    const { page } = author;
    await page.goto("/stories");
    const row = await createFromList(page, "Counting pages");
    await row.getByTestId("story-link").click();
    await expect(page.getByTestId("story-title")).toHaveText("Counting pages");

    for (let n = 1; n <= 3; n++) {
      await page.getByTestId("page-add-end").click();
      await expect(page.getByTestId("page-card")).toHaveCount(n);
    }
    await page.getByTestId("page-card").first().getByTestId("page-delete").click();
    await expect(page.getByTestId("page-card")).toHaveCount(2);

    await page.getByRole("link", { name: "All stories" }).click();
    await expect(page).toHaveURL(/\/stories$/);
    const listed = page.getByTestId("story-row").filter({ hasText: "Counting pages" });
    await expect(listed.getByTestId("story-page-count")).toHaveText("2 pages");
  });
});
