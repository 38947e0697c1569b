import { expect, test } from "./fixtures";
import { modelHold } from "./model-hold";
import type { PageCard } from "./pages/page-card";
import type { StoriesPage } from "./pages/stories";
import type { StoryPage } from "./pages/story";

// The e2e server runs the built-in offline model at OFFLINE_MODEL_MS_PER_WORD (scripts/e2e-server.sh): slow enough
// to watch the text stream, cancel it and reload in the middle. Jobs take several seconds, hence the longer budgets.
test.describe.configure({ timeout: 120_000 });
const JOB = { timeout: 60_000 };

const OPENING =
  "Mara kept the lighthouse on Gull Rock for eleven winters. Every night she climbed the stairs with the lamp oil, " +
  "and every night the sea answered the light with the same slow breathing. The harbour below was small and the boats were old.";

/** A story with one written page, plus one more page (blank unless `text` is given); returns the second page (by id). */
async function storyWithTwoPages(stories: StoriesPage, story: StoryPage, title: string, text = ""): Promise<PageCard> {
  await stories.createStory(title, "A lighthouse keeper and the sea.");
  await story.addPageWithText(OPENING);
  return story.addPageWithText(text);
}

test.describe("generate with AI", () => {
  test("writes a blank page while the text streams in, then Undo brings the blank page back", async ({
    author,
    storiesPage,
    storyPage,
  }) => {
    const card = await storyWithTwoPages(storiesPage, storyPage, "The Keeper");
    // `card` finds the page by id, so it still works after a reload.
    await card.expectVersion(1);

    await card.open();
    await expect(card.editor).toHaveValue("");
    await expect(card.ai.modelLabel).toHaveText("offline model");
    await expect(card.ai.button).toHaveText(/Generate with AI/);
    await expect(card.ai.instruction).toBeVisible();
    await card.generate();

    // Running: the button is disabled, the text is read-only, elapsed time and Cancel are shown.
    await expect(card.ai.button).toBeDisabled();
    await expect(card.editor).toHaveAttribute("readonly", "");
    await card.ai.expectPendingOrRunning();
    await expect(card.ai.elapsed).toHaveText(/\d+ s/);
    await expect(card.ai.cancelButton).toBeVisible();
    await expect(card.saveButton).toBeDisabled();

    // The text grows as the model writes it.
    const first = await card.waitForEditorLongerThan(0);
    const second = await card.waitForEditorLongerThan(first);
    await card.waitForEditorLongerThan(second);

    // Done: the text is in the page as a new version and the editor is editable again.
    await card.ai.expectSucceeded();
    await card.ai.expectResolution("applied");
    await expect(card.editor).not.toHaveAttribute("readonly");
    await expect(card.ai.button).toBeEnabled();
    await card.expectVersion(2);
    const written = await card.editorText();
    expect(written.length).toBeGreaterThan(second);

    // Saving and closing shows it on the page; it survives a reload.
    await card.cancel();
    await card.expectText(written);

    // Undo (from the notification) brings back the blank page as a new version.
    await storyPage.undoAi();
    await card.expectText("");
    await card.expectVersion(3);
    await storyPage.reload();
    await card.expectText("");
    expect(await card.aiRevisionCount()).toBe(1);
  });

  test("revises a page with an instruction, saving unsaved text first", async ({ author, storiesPage, storyPage }) => {
    const card = await storyWithTwoPages(
      storiesPage,
      storyPage,
      "The Revision",
      "The storm came in the night. She said nothing and looked at the sea.",
    );
    await card.expectVersion(2);

    // Unsaved changes are saved before the AI starts, against the version being edited.
    const mine = "The storm came in the night. She said nothing and looked at the very big sea.";
    await card.type(mine);
    await expect(card.ai.instruction).toHaveAttribute("maxlength", "500");
    await card.ai.instruction.fill("darker");
    // Ctrl+Shift+Enter in the text starts it, like the button.
    await expect(card.ai.button).toHaveAttribute("aria-keyshortcuts", /Control\+Shift\+Enter/);
    await card.editor.press("Control+Shift+Enter");

    await card.ai.expectSucceeded();
    // Version 3 is the author's text, version 4 the AI's.
    await card.expectVersion(4);
    const revised = await card.editorText();
    expect(revised).not.toBe(mine);
    // The offline model keeps the author's sentences and adds one darker line made of the story's own words
    // (lib/ai/offline-writer.ts; its exact wording depends on the whole prompt, so only its frame is checked).
    expect(revised).toContain("The storm came in the night.");
    expect(revised).toContain("She said nothing and looked at the very big sea.");
    expect(revised).toMatch(/And then there was nothing at all|Something (?:behind the \w+ )?was still there/);

    const history = await card.openHistory();
    await history.select(3);
    await expect(history.preview).toHaveText(mine);
    await history.close();
  });

  test("cancelling mid-stream restores the original text exactly and offers Retry", async ({
    author,
    storiesPage,
    storyPage,
  }) => {
    const card = await storyWithTwoPages(storiesPage, storyPage, "The Cancel");
    // Whitespace and line breaks are part of the original and must come back exactly.
    const original =
      "  The lamp went out at midnight.\n\n\tMara waited on the stairs, counting the waves, and the dark said nothing back.  \n" +
      "Somewhere below, a boat knocked against the pier, once, twice, and again, as if it wanted to come in.";
    await card.type(original);
    await card.generate();

    // Wait until the model's words are in the textarea, then cancel.
    await card.ai.expectRunning();
    await expect.poll(() => card.editorText(), JOB).not.toBe(original);
    await card.ai.cancel();

    await card.ai.expectStatus("cancelled");
    await expect(card.ai.error).toContainText("The generation was cancelled. Your text is unchanged.");
    await expect(card.editor).toHaveValue(original);
    await expect(card.editor).not.toHaveAttribute("readonly");
    await expect(card.ai.retryButton).toBeVisible();
    // The original was saved first (version 2, from the blank version 1); nothing from the AI was written.
    await card.expectVersion(2);

    // Retry runs it again, to the end this time.
    await card.ai.retry();
    await card.ai.expectPendingOrRunning();
    await card.ai.expectSucceeded();
    await card.expectVersion(3);
    expect(await card.editorText()).not.toBe(original);
  });

  test("a reload and a second tab in the middle of a job show it running, streaming, and its outcome", async ({
    author,
    storiesPage,
    storyPage,
  }) => {
    // A revision of a long page streams for many seconds (the offline model echoes each sentence at the e2e pace),
    // so the job is still running after a reload and a second tab on a slow machine.
    const long = Array.from(
      { length: 25 },
      (_v, i) => `On night ${i + 1} the lamp turned slowly over the dark water.`,
    ).join(" ");
    const card = await storyWithTwoPages(storiesPage, storyPage, "The Reload", long);
    await card.open();
    await card.generate();
    await card.ai.expectRunning();

    await storyPage.reload();
    await expect(card.generating).toBeVisible();
    await card.ai.expectStatus("running");
    await expect(card.ai.elapsed).toHaveText(/\d+ s/);
    await expect(card.deleteButton).toBeDisabled();

    // A second tab sees the same job.
    const second = await storyPage.openInNewTab();
    const secondCard = second.cardById(await card.id());
    await expect(secondCard.generating).toBeVisible();

    // The streamed text keeps growing after the reload.
    let seen = 0;
    await expect
      .poll(async () => {
        seen = ((await card.streaming.textContent()) ?? "").length;
        return seen;
      }, JOB)
      .toBeGreaterThan(0);
    await expect.poll(async () => ((await card.streaming.textContent()) ?? "").length, JOB).toBeGreaterThan(seen);

    // Both tabs end with the new text on the page.
    await expect(card.generating).toHaveCount(0, JOB);
    await expect(card.content).not.toHaveText("");
    const final = (await card.content.textContent()) ?? "";
    // Added blank (v1), written (v2), revised by the AI (v3).
    await card.expectVersion(3);
    await expect(secondCard.generating).toHaveCount(0, JOB);
    await secondCard.expectText(final);
    await second.close();
  });

  test("when the live stream is unavailable, progress and the outcome still arrive by polling", async ({
    author,
    storiesPage,
    storyPage,
  }) => {
    const card = await storyWithTwoPages(storiesPage, storyPage, "The Fallback");
    // The story's event stream fails (a proxy that buffers or drops it, say); the page asks GET /api/jobs/{id} instead.
    // The page opened its stream on load: it is loaded again with every new attempt failing.
    await author.page.route("**/api/stories/*/events", (route) => route.abort());
    await storyPage.reload();
    await card.open();
    await card.generate();
    await card.ai.expectTransport("polling");
    const first = await card.waitForEditorLongerThan(0);
    await card.waitForEditorLongerThan(first);
    await card.ai.expectSucceeded();
    await card.expectVersion(2);
    await expect(card.editor).not.toHaveAttribute("readonly");
  });

  test("clicking twice, or from two tabs, starts one job", async ({ author, storiesPage, storyPage }) => {
    const card = await storyWithTwoPages(storiesPage, storyPage, "The Double");
    const second = await storyPage.openInNewTab();
    // A tab that cannot hear the story's live stream (a proxy dropping it) does not learn of a job started elsewhere
    // (a tab that can shows it and disables Generate: e2e/tabs.spec.ts), so it can still ask.
    await second.page.route("**/api/stories/*/events", (route) => route.abort());
    await second.reload();
    const secondCard = second.cardById(await card.id());
    await secondCard.open();

    await card.open();
    await card.ai.button.dblclick();
    await card.ai.expectPendingOrRunning();
    // The other tab asks too: it joins the running job instead of starting another.
    await secondCard.generate();
    await secondCard.ai.expectPendingOrRunning();
    // (Whether its button is still disabled depends on how far the short offline answer got: one revision below is
    // what proves the two requests made one job.)

    await card.ai.expectSucceeded();
    await secondCard.ai.expectSucceeded();
    const written = await card.editorText();
    await expect(secondCard.editor).toHaveValue(written);
    await card.expectVersion(2);
    await secondCard.expectVersion(2);
    await second.close();

    await card.cancel();
    expect(await card.aiRevisionCount()).toBe(1);
  });

  test("a page edited in another tab during a job gets a suggestion instead of being overwritten", async ({
    author,
    storiesPage,
    storyPage,
  }) => {
    const start = `${OPENING} The keeper rowed out at dawn to look for the missing boat, and the fog followed her all the way.`;
    const card = await storyWithTwoPages(storiesPage, storyPage, "The Suggestion", start);
    const other = await storyPage.openInNewTab();
    // A tab that hears the story's stream refuses to save while the AI writes (e2e/tabs.spec.ts); one that cannot
    // hear it (a proxy dropping it) is refused by the server, in words; saved anyway, the AI's text then waits as a
    // suggestion rather than overwriting.
    await other.page.route("**/api/stories/*/events", (route) => route.abort());
    await other.reload();
    const otherCard = other.cardById(await card.id());
    const theirs = "Written in the other tab while the AI was busy.";
    await otherCard.type(theirs);

    // The AI stays on its first word until the other tab has saved.
    const hold = modelHold();
    await card.open();
    await card.generate({ instruction: `the fog lifts ${hold.marker}` });
    await card.ai.expectRunning();
    await otherCard.save();
    await expect(otherCard.error).toContainText("The AI is writing this page right now, so your text was not saved");
    await expect(otherCard.editor).toHaveValue(theirs);
    await otherCard.saveAnywayButton.click();
    await otherCard.expectText(theirs);
    hold.release();

    // The job ends as a suggestion: the other tab's text stays on the page.
    await card.ai.expectSucceeded();
    await card.ai.expectResolution("suggested");
    await expect(card.editor).toHaveValue(theirs);
    await expect(card.suggestion).toBeVisible();
    await expect(card.suggestionCurrentText).toHaveText(theirs);
    const suggested = (await card.suggestionText.textContent()) ?? "";
    expect(suggested.length).toBeGreaterThan(0);
    expect(suggested).not.toBe(theirs);
    // By default the panel shows what would change, word by word: the other tab's words struck out, the AI's added.
    await expect(card.suggestionDiff).toBeVisible();
    await expect(card.suggestionDiff.locator("del").first()).toBeVisible();
    await expect(card.suggestionDiff.locator("ins").first()).toBeVisible();
    await card.suggestion.getByTestId("suggestion-view-side-by-side").click();
    await expect(card.suggestionText).toBeVisible();
    await expect(card.suggestionDiff).toHaveCount(0);
    await card.expectVersion(3);
    await card.cancel();

    // Open suggestions are part of the page: a reload (and the other tab) shows them.
    await storyPage.reload();
    await card.expectText(theirs);
    await expect(card.suggestionText).toHaveText(suggested);

    // Apply puts it on top of the current version.
    await card.applySuggestion();
    await expect(card.suggestion).toHaveCount(0);
    await card.expectText(suggested);
    await card.expectVersion(4);
    await storyPage.reload();
    await card.expectText(suggested);
    await expect(card.suggestion).toHaveCount(0);
    await other.close();
  });
});
