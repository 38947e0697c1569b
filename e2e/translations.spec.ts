import { expect, test } from "./fixtures";

// Translations with the offline model, whose stand-in "translation" is labelled and spells every lowercase word
// backwards (proper names stay). Long budgets for background jobs, no wall-clock assertions.
test.describe.configure({ timeout: 180_000 });
const JOB = { timeout: 90_000 };

test("translate a story, follow the link both ways, compare side by side, update after the source changes", async ({
  author,
  storiesPage,
  storyPage,
  page,
}) => {
  void author;
  const sourceId = await storiesPage.createStory("The keeper", "A lighthouse keeper.");
  await storyPage.addPageWithText("the lamp was cold.");
  await storyPage.addPageWithText("Mara climbed the stairs.");

  const panel = page.getByTestId("translations-panel");
  // Translate… opens the language picker (folded, so that it is not three tab stops before the pages).
  await expect(panel.getByTestId("translate-language-search")).toBeHidden();
  await panel.getByTestId("translate-toggle").click();
  // The searchable list: typing narrows it; the story's own language is not offered.
  await panel.getByTestId("translate-language-search").fill("fren");
  await expect(panel.getByTestId("translate-language").locator("option")).toContainText(["French (fr)"]);
  await expect(panel.getByTestId("translate-language").locator("option", { hasText: "English (en)" })).toHaveCount(0);
  await panel.getByTestId("translate-language").selectOption("fr");
  await panel.getByTestId("translate-button").click();
  await expect(panel.getByTestId("translation-message")).toContainText("Translating 2 pages into French");

  const item = panel.locator('[data-testid="translation-item"][data-language="fr"]');
  await expect(item.getByTestId("translation-progress")).toHaveText("2 of 2 pages translated", JOB);
  await expect(item).toContainText("up to date");

  // French is no longer offered: the story has a French translation (the API refuses a second one with a 409).
  await expect(panel.getByTestId("translate-language").locator("option", { hasText: "French (fr)" })).toHaveCount(0);

  // The translation is a story of its own that links back to its source.
  await item.getByTestId("translation-link").click();
  await page.waitForURL((url) => /\/stories\/[0-9a-f-]{36}$/.test(url.pathname) && !url.pathname.endsWith(sourceId));
  const translationId = storyPage.id();
  expect(translationId).not.toBe(sourceId);
  await storyPage.expectTexts([
    "[offline translation → fr] eht pmal saw dloc.",
    "[offline translation → fr] Mara debmilc eht sriats.",
  ]);
  const translationPanel = page.getByTestId("translations-panel");
  await expect(translationPanel.getByTestId("translation-source-link")).toHaveText("The keeper");

  // Side by side: the source page and its translation.
  await translationPanel.getByTestId("translation-side-by-side").click();
  await expect(page.getByTestId("side-by-side-source")).toHaveText("the lamp was cold.");
  await expect(page.getByTestId("side-by-side-translation")).toHaveText(
    "[offline translation → fr] eht pmal saw dloc.",
  );
  await page.getByTestId("side-by-side-next").click();
  await expect(page.getByTestId("side-by-side-page")).toHaveText("Page 2 of 2");
  await expect(page.getByTestId("side-by-side-source")).toHaveText("Mara climbed the stairs.");

  // The source changes: its translation is out of date until Update translation, which re-translates that page only.
  await storyPage.goto(sourceId);
  await storyPage.card(0).write("the lamp was warm.");
  await storyPage.goto(translationId);
  await expect(translationPanel.getByTestId("translation-stale")).toContainText("1 page out of date");
  await translationPanel.getByTestId("translation-update").click();
  await expect(translationPanel.getByTestId("translation-message")).toContainText("Updating 1 page");
  await expect(translationPanel.getByTestId("translation-progress")).toHaveText("1 of 1 pages translated", JOB);
  await expect(translationPanel.getByTestId("translation-stale")).toContainText("up to date");
  await storyPage.goto(translationId);
  await storyPage.expectTexts([
    "[offline translation → fr] eht pmal saw mraw.",
    "[offline translation → fr] Mara debmilc eht sriats.",
  ]);

  // Nothing left to do: Update says so and starts nothing.
  await translationPanel.getByTestId("translation-update").click();
  await expect(translationPanel.getByTestId("translation-message")).toContainText("up to date");
});
