import { expect, test } from "./fixtures";

// The e2e server runs the offline model slowly (scripts/e2e-server.sh) and background children two at a time, so a
// revision of three pages takes a while: long budgets, no wall-clock assertions.
test.describe.configure({ timeout: 180_000 });
const JOB = { timeout: 120_000 };

const TEXTS = [
  "Mara kept the lighthouse on Gull Rock for eleven winters, and every night the sea answered the light.",
  "Tobin rowed out from the harbour with bread and news, and stayed for tea when the weather turned.",
  "The storm came in from the west on the last night of the year, and the lamp did not go out.",
];

test.describe("background revision", () => {
  test("revises three pages in the background; the author applies two suggestions and discards the third", async ({
    author,
    storiesPage,
    storyPage,
  }) => {
    await storiesPage.createStory("Background keeper", "A lighthouse keeper and the sea.");
    for (const text of TEXTS) await storyPage.addPageWithText(text);
    const panel = storyPage.background;

    // The instruction appears with the first ticked page, and what was typed stays when the pages are unticked.
    await expect(panel.instruction).toHaveCount(0);
    await storyPage.card(0).select.check();
    await panel.instruction.fill("kept while hidden");
    await storyPage.card(0).select.uncheck();
    await expect(panel.instruction).toHaveCount(0);

    // Selection: Select all ticks every page; the count follows.
    await panel.selectAll.check();
    await expect(panel.instruction).toHaveValue("kept while hidden");
    await panel.instruction.fill("");
    for (const box of await storyPage.pageSelects.all()) await expect(box).toBeChecked();
    await expect(panel.selectedCount).toContainText("3 pages selected");

    // An instruction is required.
    await panel.start();
    await expect(panel.error).toContainText("Say how the pages should be revised");

    await panel.start("simpler words for young readers");
    await expect(panel.progress).toBeVisible();
    await expect(panel.progress).toHaveAttribute("data-status", /pending|running/);
    await expect(panel.cancelButton).toBeVisible();

    // Still there after a reload, and it carries on.
    await storyPage.reload();
    await expect(panel.progress).toBeVisible();
    await expect(panel.progressText).toHaveText("3 of 3 done", JOB);
    await expect(panel.progress).toHaveAttribute("data-status", "succeeded");
    await expect(panel.applyAllButton).toHaveText(/Apply all \(3\)/);

    // Nothing was written: each page keeps its text and has a suggestion to review.
    for (const [i, text] of TEXTS.entries()) {
      const card = storyPage.card(i);
      await card.expectText(text);
      await expect(card.suggestion).toHaveCount(1, JOB);
    }

    // Apply pages 1 and 2, discard page 3.
    const suggested: string[] = [];
    for (const i of [0, 1]) {
      const card = storyPage.card(i);
      const text = (await card.suggestionText.textContent()) ?? "";
      expect(text.length).toBeGreaterThan(0);
      expect(text).not.toBe(TEXTS[i]);
      suggested.push(text);
      const version = await card.version();
      await card.applySuggestion();
      await expect(card.suggestion).toHaveCount(0);
      await card.expectText(text);
      await card.expectVersion(version + 1);
    }
    const third = storyPage.card(2);
    const thirdVersion = await third.version();
    await third.discardSuggestion();
    await expect(third.suggestion).toHaveCount(0);

    // After a reload the texts are what the author chose, and nothing is left to review.
    await storyPage.reload();
    await storyPage.card(0).expectText(suggested[0]!);
    await storyPage.card(1).expectText(suggested[1]!);
    await storyPage.card(2).expectText(TEXTS[2]!);
    await storyPage.card(2).expectVersion(thirdVersion);
    await expect(storyPage.suggestions).toHaveCount(0);
    await expect(panel.progress).toHaveCount(0);
  });

  test("blank pages cannot be selected, and Apply all applies every suggestion", async ({
    author,
    storiesPage,
    storyPage,
  }) => {
    await storiesPage.createStory("Background blank", "Short.");
    const card = await storyPage.addPageWithText("A short page about a cat.");
    await expect(storyPage.cards).toHaveCount(1);
    await storyPage.addPage();
    await expect(storyPage.cards).toHaveCount(2);
    await expect(storyPage.card(1).select).toBeDisabled();

    await card.select.check();
    const panel = storyPage.background;
    await expect(panel.selectedCount).toContainText("1 page selected");
    await panel.start("funnier", { with: "enter" });
    await expect(panel.progressText).toHaveText("1 of 1 done", JOB);
    const version = await card.version();
    await panel.applyAll();
    await expect(panel.report).toContainText("Applied 1 suggestion: page 1.");
    await card.expectVersion(version + 1);
    await expect(card.suggestion).toHaveCount(0);
  });
  test("Revise, then proofread: each page's job shows both steps, and the applied pages read differently", async ({
    author,
    storiesPage,
    storyPage,
  }) => {
    await storiesPage.createStory("Background proofread", "A lighthouse keeper and the sea.");
    const texts = TEXTS.slice(0, 2);
    for (const text of texts) await storyPage.addPageWithText(text);
    const panel = storyPage.background;
    for (const i of texts.keys()) await storyPage.card(i).select.check();
    await expect(panel.selectedCount).toContainText("2 pages selected");

    await panel.instruction.fill("make it darker");
    await panel.proofread.check();
    await panel.start();
    await expect(panel.progress).toBeVisible();
    await expect(panel.progressText).toHaveText("2 of 2 done", JOB);
    await expect(panel.progress).toHaveAttribute("data-status", "succeeded");

    // Each page's job ran both steps, in order: the revision, then the proofreading of it.
    await panel.showSteps();
    await expect(panel.pageSteps).toHaveCount(2);
    for (const line of await panel.pageSteps.all()) {
      const steps = line.getByTestId("background-step");
      await expect(steps).toHaveCount(2);
      await expect(steps.nth(0)).toContainText(/^revise \(\d+ tokens/);
      await expect(steps.nth(1)).toContainText(/then proofread \(\d+ tokens/);
      for (const s of await steps.all()) await expect(s).toHaveAttribute("data-done", "true");
    }

    // The suggestions are the chained result; applied, each page reads it instead of the author's text.
    const suggested: string[] = [];
    for (const [i, text] of texts.entries()) {
      const card = storyPage.card(i);
      await expect(card.suggestion).toHaveCount(1, JOB);
      const suggestion = (await card.suggestionText.textContent()) ?? "";
      expect(suggestion.trim().length).toBeGreaterThan(0);
      expect(suggestion).not.toBe(text);
      suggested.push(suggestion);
    }
    await expect(panel.applyAllButton).toHaveText(/Apply all \(2\)/);
    await panel.applyAll();
    await expect(panel.report).toContainText("Applied 2 suggestions");
    await storyPage.reload();
    await expect(storyPage.suggestions).toHaveCount(0);
    for (const i of texts.keys()) await storyPage.card(i).expectText(suggested[i]!);
  });
});
