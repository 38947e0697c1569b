import type { Page } from "@playwright/test";
import { createStory, expect, test } from "./fixtures";

// The e2e server runs the offline model slowly (scripts/e2e-server.sh) and background children two at a time, so a
// revision of three pages takes a while: long budgets, no wall-clock assertions.
test.describe.configure({ timeout: 180_000 });
const JOB = { timeout: 120_000 };

const cards = (page: Page) => page.getByTestId("page-card");

const TEXTS = [
  "Mara kept the lighthouse on Gull Rock for eleven winters, and every night the sea answered the light.",
  "Tobin rowed out from the harbour with bread and news, and stayed for tea when the weather turned.",
  "The storm came in from the west on the last night of the year, and the lamp did not go out.",
];

async function storyWithPages(page: Page, title: string): Promise<void> {
  await createStory(page, title, "A lighthouse keeper and the sea.");
  for (const content of TEXTS) {
    const before = await cards(page).count();
    await page.getByTestId("page-add-end").click();
    await expect(cards(page)).toHaveCount(before + 1);
    const card = cards(page).last();
    await card.getByTestId("page-content").click();
    await card.getByTestId("page-editor").fill(content);
    await card.getByTestId("page-save").click();
    await expect(card.getByTestId("page-editor")).toHaveCount(0);
  }
}

test.describe("background revision", () => {
  test("revises three pages in the background; the author applies two suggestions and discards the third", async ({ author }) => {
    const { page } = author;
    await storyWithPages(page, "Background keeper");
    const panel = page.getByTestId("background-panel");

    // Selection: Select all ticks every page; the count follows.
    await panel.getByTestId("background-select-all").check();
    for (const box of await page.getByTestId("page-select").all()) await expect(box).toBeChecked();
    await expect(panel.getByTestId("background-selected-count")).toContainText("3 pages selected");

    // An instruction is required.
    await panel.getByTestId("background-start").click();
    await expect(panel.getByTestId("background-error")).toContainText("Say how the pages should be revised");

    await panel.getByTestId("background-instruction").fill("simpler words for young readers");
    await panel.getByTestId("background-start").click();
    const progress = panel.getByTestId("background-progress");
    await expect(progress).toBeVisible();
    await expect(progress).toHaveAttribute("data-status", /pending|running/);
    await expect(progress.getByTestId("background-cancel")).toBeVisible();

    // Still there after a reload, and it carries on.
    await page.reload();
    await expect(page.getByTestId("background-progress")).toBeVisible();
    await expect(page.getByTestId("background-progress-text")).toHaveText("3 of 3 done", JOB);
    await expect(page.getByTestId("background-progress")).toHaveAttribute("data-status", "succeeded");
    await expect(page.getByTestId("background-apply-all")).toHaveText(/Apply all \(3\)/);

    // Nothing was written: each page keeps its text and has a suggestion to review.
    for (const [i, text] of TEXTS.entries()) {
      const card = cards(page).nth(i);
      await expect(card.getByTestId("page-content")).toHaveText(text);
      await expect(card.getByTestId("suggestion-panel")).toHaveCount(1, JOB);
    }

    // Apply pages 1 and 2, discard page 3.
    const suggested: string[] = [];
    for (const i of [0, 1]) {
      const card = cards(page).nth(i);
      const text = (await card.getByTestId("suggestion-text").textContent()) ?? "";
      expect(text.length).toBeGreaterThan(0);
      expect(text).not.toBe(TEXTS[i]);
      suggested.push(text);
      const version = Number(await card.getAttribute("data-version"));
      await card.getByTestId("suggestion-apply").click();
      await expect(card.getByTestId("suggestion-panel")).toHaveCount(0);
      await expect(card.getByTestId("page-content")).toHaveText(text);
      await expect(card).toHaveAttribute("data-version", String(version + 1));
    }
    const third = cards(page).nth(2);
    const thirdVersion = (await third.getAttribute("data-version"))!;
    await third.getByTestId("suggestion-discard").click();
    await expect(third.getByTestId("suggestion-panel")).toHaveCount(0);

    // After a reload the texts are what the author chose, and nothing is left to review.
    await page.reload();
    await expect(cards(page).nth(0).getByTestId("page-content")).toHaveText(suggested[0]!);
    await expect(cards(page).nth(1).getByTestId("page-content")).toHaveText(suggested[1]!);
    await expect(cards(page).nth(2).getByTestId("page-content")).toHaveText(TEXTS[2]!);
    await expect(cards(page).nth(2)).toHaveAttribute("data-version", thirdVersion);
    await expect(page.getByTestId("suggestion-panel")).toHaveCount(0);
    await expect(page.getByTestId("background-progress")).toHaveCount(0);
  });

  test("blank pages cannot be selected, and Apply all applies every suggestion", async ({ author }) => {
    const { page } = author;
    await createStory(page, "Background blank", "Short.");
    await page.getByTestId("page-add-end").click();
    await expect(cards(page)).toHaveCount(1);
    const card = cards(page).first();
    await card.getByTestId("page-content").click();
    await card.getByTestId("page-editor").fill("A short page about a cat.");
    await card.getByTestId("page-save").click();
    await expect(card.getByTestId("page-editor")).toHaveCount(0);
    await page.getByTestId("page-add-end").click();
    await expect(cards(page)).toHaveCount(2);
    await expect(cards(page).nth(1).getByTestId("page-select")).toBeDisabled();

    await card.getByTestId("page-select").check();
    const panel = page.getByTestId("background-panel");
    await expect(panel.getByTestId("background-selected-count")).toContainText("1 page selected");
    await panel.getByTestId("background-instruction").fill("funnier");
    await panel.getByTestId("background-instruction").press("Enter");
    await expect(panel.getByTestId("background-progress-text")).toHaveText("1 of 1 done", JOB);
    const version = Number(await card.getAttribute("data-version"));
    await panel.getByTestId("background-apply-all").click();
    await expect(panel.getByTestId("background-report")).toContainText("Applied the suggestions to page 1.");
    await expect(card).toHaveAttribute("data-version", String(version + 1));
    await expect(card.getByTestId("suggestion-panel")).toHaveCount(0);
  });
});
