import { expect, test } from "./fixtures";

// Page summaries: written in the background a couple of seconds after an edit (SUMMARY_DEBOUNCE_SECONDS=2 on the e2e
// server) by the offline model, which answers with the page's key sentences. Long budgets, no wall-clock assertions.
test.describe.configure({ timeout: 150_000 });
const JOB = { timeout: 60_000 };

const FIRST = "Mara climbed the lighthouse stairs at dusk. The lamp was cold.";
const SECOND = "Tobin rowed out from the harbour with bread. He stayed for tea when the weather turned.";

test("an edited page gets its summary; the author edits and pins it, then clears the pin", async ({
  author,
  storiesPage,
  storyPage,
}) => {
  void author;
  await storiesPage.createStory("Summaries of the keeper", "A lighthouse keeper and the sea.");
  const card = await storyPage.addPageWithText(FIRST);
  const summary = card.summary;

  // The summary appears after the edit (short pages are their own summary with the offline model).
  await summary.open();
  await expect(summary.text).toHaveText(FIRST, JOB);
  await expect(summary.pinnedBadge).toHaveCount(0);

  // Another edit: the summary follows it (stale / updating… meanwhile).
  await card.write(SECOND);
  await expect(summary.text).toHaveText(SECOND, JOB);
  await expect(summary.staleBadge).toHaveCount(0);
  await expect(summary.updatingBadge).toHaveCount(0);

  // A summary that is too long is refused and the typed text stays.
  const tooLong = "word ".repeat(410);
  await summary.editButton.click();
  await summary.input.fill(tooLong);
  await summary.saveButton.click();
  await expect(summary.error).toContainText("at most 2,000 characters");
  await expect(summary.input).toHaveValue(tooLong);
  await summary.cancelButton.click();

  // The author's own summary is pinned and survives an edit of the page.
  await summary.write("Tobin brings bread to the rock.");
  await expect(summary.pinnedBadge).toBeVisible();
  await expect(summary.text).toHaveText("Tobin brings bread to the rock.");
  await card.write(`${SECOND} The storm came in from the west.`);
  await storyPage.reload();
  const again = storyPage.card(0).summary;
  await again.open();
  await expect(again.text).toHaveText("Tobin brings bread to the rock.");
  await expect(again.pinnedBadge).toBeVisible();
  await expect(again.staleBadge).toHaveCount(0);

  // Clearing the pin brings the AI's summary of the page as it is now.
  await again.clearPin();
  await expect(again.pinnedBadge).toHaveCount(0);
  await expect(again.text).toContainText("The storm came in from the west.", JOB);

  // Summarize all: everything is up to date, so it ends at once and says so.
  await storyPage.summarizeAll.start();
  await expect(storyPage.summarizeAll.progress).toHaveAttribute("data-status", "succeeded", JOB);
  await expect(storyPage.summarizeAll.progressText).toHaveText("Every page's summary was already up to date.");
});
