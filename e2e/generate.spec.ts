import type { Locator, Page } from "@playwright/test";
import { createStory, expect, test } from "./fixtures";

// The e2e server runs the built-in offline model at OFFLINE_MODEL_MS_PER_WORD (scripts/e2e-server.sh): slow enough
// to watch the text stream, cancel it and reload in the middle. Jobs take several seconds, hence the longer budgets.
test.describe.configure({ timeout: 120_000 });
const JOB = { timeout: 60_000 };

const cards = (page: Page) => page.getByTestId("page-card");
const cardById = (page: Page, id: string) => page.locator(`[data-testid="page-card"][data-page-id="${id}"]`);

const OPENING =
  "Mara kept the lighthouse on Gull Rock for eleven winters. Every night she climbed the stairs with the lamp oil, " +
  "and every night the sea answered the light with the same slow breathing. The harbour below was small and the boats were old.";

/** A story with one written page, plus one more page (blank unless `text` is given); returns the second page's card. */
async function storyWithTwoPages(page: Page, title: string, text = ""): Promise<{ card: Locator; id: string; storyUrl: string }> {
  await createStory(page, title, "A lighthouse keeper and the sea.");
  for (const content of [OPENING, text]) {
    const before = await cards(page).count();
    await page.getByTestId("page-add-end").click();
    await expect(cards(page)).toHaveCount(before + 1);
    if (content) {
      const card = cards(page).last();
      await card.getByTestId("page-content").click();
      await card.getByTestId("page-editor").fill(content);
      await card.getByTestId("page-save").click();
      await expect(card.getByTestId("page-editor")).toHaveCount(0);
    }
  }
  const card = cards(page).nth(1);
  const id = (await card.getAttribute("data-page-id"))!;
  return { card: cardById(page, id), id, storyUrl: page.url() };
}

async function aiRevisionCount(card: Locator): Promise<number> {
  const page = card.page();
  await card.getByTestId("page-history").click();
  const panel = page.getByTestId("history-panel");
  await expect(panel.getByTestId("history-item").first()).toBeVisible();
  const count = await panel.locator('[data-testid="history-source"][data-source="ai"]').count();
  await panel.getByTestId("history-close").click();
  await expect(panel).toHaveCount(0);
  return count;
}

/** Waits until the textarea holds more text than `than` characters, and returns its length. */
async function waitForLongerThan(editor: Locator, than: number): Promise<number> {
  let length = 0;
  await expect
    .poll(async () => {
      length = (await editor.inputValue()).length;
      return length;
    }, JOB)
    .toBeGreaterThan(than);
  return length;
}

test.describe("generate with AI", () => {
  test("writes a blank page while the text streams in, then Undo brings the blank page back", async ({ author }) => {
    const { page } = author;
    const { card } = await storyWithTwoPages(page, "The Keeper");
    // `card` finds the page by id, so it still works after a reload.
    await expect(card).toHaveAttribute("data-version", "1");

    await card.getByTestId("page-content").click();
    const editor = card.getByTestId("page-editor");
    await expect(editor).toHaveValue("");
    await expect(card.getByTestId("generate-model-label")).toHaveText("offline model");
    const button = card.getByTestId("generate-button");
    await expect(button).toHaveText(/Generate with AI/);
    await expect(card.getByTestId("generate-instruction")).toBeVisible();
    await button.click();

    // Running: the button is disabled, the text is read-only, elapsed time and Cancel are shown.
    await expect(button).toBeDisabled();
    await expect(editor).toHaveAttribute("readonly", "");
    const status = card.getByTestId("generate-status");
    await expect(status).toHaveAttribute("data-status", /pending|running/);
    await expect(card.getByTestId("generate-elapsed")).toHaveText(/\d+ s/);
    await expect(card.getByTestId("generate-cancel")).toBeVisible();
    await expect(card.getByTestId("page-save")).toBeDisabled();

    // The text grows as the model writes it.
    const first = await waitForLongerThan(editor, 0);
    const second = await waitForLongerThan(editor, first);
    await waitForLongerThan(editor, second);

    // Done: the text is in the page as a new version and the editor is editable again.
    await expect(status).toHaveAttribute("data-status", "succeeded", JOB);
    await expect(status).toHaveAttribute("data-resolution", "applied");
    await expect(editor).not.toHaveAttribute("readonly");
    await expect(button).toBeEnabled();
    await expect(card).toHaveAttribute("data-version", "2");
    const written = await editor.inputValue();
    expect(written.length).toBeGreaterThan(second);

    // Saving and closing shows it on the page; it survives a reload.
    await card.getByTestId("page-cancel").click();
    await expect(card.getByTestId("page-content")).toHaveText(written);

    // Undo (from the notification) brings back the blank page as a new version.
    await page.getByTestId("toast-undo-ai").click();
    await expect(card.getByTestId("page-content")).toHaveText("");
    await expect(card).toHaveAttribute("data-version", "3");
    await page.reload();
    await expect(card.getByTestId("page-content")).toHaveText("");
    expect(await aiRevisionCount(card)).toBe(1);
  });

  test("revises a page with an instruction, saving unsaved text first", async ({ author }) => {
    const { page } = author;
    const { card } = await storyWithTwoPages(page, "The Revision", "The storm came in the night. She said nothing and looked at the sea.");
    await expect(card).toHaveAttribute("data-version", "2");

    await card.getByTestId("page-content").click();
    const editor = card.getByTestId("page-editor");
    // Unsaved changes are saved before the AI starts, against the version being edited.
    const mine = "The storm came in the night. She said nothing and looked at the very big sea.";
    await editor.fill(mine);
    const instruction = card.getByTestId("generate-instruction");
    await expect(instruction).toHaveAttribute("maxlength", "500");
    await instruction.fill("darker");
    await card.getByTestId("generate-button").click();

    const status = card.getByTestId("generate-status");
    await expect(status).toHaveAttribute("data-status", "succeeded", JOB);
    // Version 3 is the author's text, version 4 the AI's.
    await expect(card).toHaveAttribute("data-version", "4");
    const revised = await editor.inputValue();
    expect(revised).not.toBe(mine);
    expect(revised).toContain("gazed at the deeply vast sea");
    expect(revised).toContain("something old and cold was paying attention");

    await card.getByTestId("page-history").click();
    const history = page.getByTestId("history-panel");
    await history.locator('[data-testid="history-item"][data-version="3"]').click();
    await expect(history.getByTestId("history-preview")).toHaveText(mine);
    await history.getByTestId("history-close").click();
  });

  test("cancelling mid-stream restores the original text exactly and offers Retry", async ({ author }) => {
    const { page } = author;
    const { card } = await storyWithTwoPages(page, "The Cancel");
    await card.getByTestId("page-content").click();
    const editor = card.getByTestId("page-editor");
    // Whitespace and line breaks are part of the original and must come back exactly.
    const original =
      "  The lamp went out at midnight.\n\n\tMara waited on the stairs, counting the waves, and the dark said nothing back.  \n" +
      "Somewhere below, a boat knocked against the pier, once, twice, and again, as if it wanted to come in.";
    await editor.fill(original);
    await card.getByTestId("generate-button").click();

    // Wait until the model's words are in the textarea, then cancel.
    await expect(card.getByTestId("generate-status")).toHaveAttribute("data-status", "running", JOB);
    await expect.poll(() => editor.inputValue(), JOB).not.toBe(original);
    await card.getByTestId("generate-cancel").click();

    await expect(card.getByTestId("generate-status")).toHaveAttribute("data-status", "cancelled");
    await expect(card.getByTestId("generate-error")).toContainText("cancelled");
    await expect(editor).toHaveValue(original);
    await expect(editor).not.toHaveAttribute("readonly");
    await expect(card.getByTestId("generate-retry")).toBeVisible();
    // The original was saved first (version 2, from the blank version 1); nothing from the AI was written.
    await expect(card).toHaveAttribute("data-version", "2");

    // Retry runs it again, to the end this time.
    await card.getByTestId("generate-retry").click();
    await expect(card.getByTestId("generate-status")).toHaveAttribute("data-status", /pending|running/);
    await expect(card.getByTestId("generate-status")).toHaveAttribute("data-status", "succeeded", JOB);
    await expect(card).toHaveAttribute("data-version", "3");
    expect(await editor.inputValue()).not.toBe(original);
  });

  test("a reload and a second tab in the middle of a job show it running, streaming, and its outcome", async ({ author }) => {
    const { page } = author;
    // A revision of a long page streams for many seconds (the offline model echoes each sentence at the e2e pace),
    // so the job is still running after a reload and a second tab on a slow machine.
    const long = Array.from({ length: 25 }, (_v, i) => `On night ${i + 1} the lamp turned slowly over the dark water.`).join(" ");
    const { card, id, storyUrl } = await storyWithTwoPages(page, "The Reload", long);
    await card.getByTestId("page-content").click();
    await card.getByTestId("generate-button").click();
    await expect(card.getByTestId("generate-status")).toHaveAttribute("data-status", "running", JOB);

    await page.reload();
    const reloaded = cardById(page, id);
    const generating = reloaded.getByTestId("page-generating");
    await expect(generating).toBeVisible();
    await expect(reloaded.getByTestId("generate-status")).toHaveAttribute("data-status", "running");
    await expect(reloaded.getByTestId("generate-elapsed")).toHaveText(/\d+ s/);
    await expect(reloaded.getByTestId("page-delete")).toBeDisabled();

    // A second tab sees the same job.
    const second = await page.context().newPage();
    await second.goto(storyUrl);
    const secondCard = cardById(second, id);
    await expect(secondCard.getByTestId("page-generating")).toBeVisible();

    // The streamed text keeps growing after the reload.
    const streaming = reloaded.getByTestId("page-streaming");
    let seen = 0;
    await expect
      .poll(async () => {
        seen = ((await streaming.textContent()) ?? "").length;
        return seen;
      }, JOB)
      .toBeGreaterThan(0);
    await expect.poll(async () => ((await streaming.textContent()) ?? "").length, JOB).toBeGreaterThan(seen);

    // Both tabs end with the new text on the page.
    await expect(generating).toHaveCount(0, JOB);
    const text = reloaded.getByTestId("page-content");
    await expect(text).not.toHaveText("");
    const final = (await text.textContent()) ?? "";
    // Added blank (v1), written (v2), revised by the AI (v3).
    await expect(reloaded).toHaveAttribute("data-version", "3");
    await expect(secondCard.getByTestId("page-generating")).toHaveCount(0, JOB);
    await expect(secondCard.getByTestId("page-content")).toHaveText(final);
    await second.close();
  });

  test("when the live stream is unavailable, progress and the outcome still arrive by polling", async ({ author }) => {
    const { page } = author;
    const { card } = await storyWithTwoPages(page, "The Fallback");
    // The event stream fails (a proxy that buffers or drops it, say); the page asks GET /api/jobs/{id} instead.
    await page.route("**/api/jobs/*/events", (route) => route.abort());
    await card.getByTestId("page-content").click();
    await card.getByTestId("generate-button").click();
    const status = card.getByTestId("generate-status");
    await expect(status).toHaveAttribute("data-transport", "polling");
    const editor = card.getByTestId("page-editor");
    const first = await waitForLongerThan(editor, 0);
    await waitForLongerThan(editor, first);
    await expect(status).toHaveAttribute("data-status", "succeeded", JOB);
    await expect(card).toHaveAttribute("data-version", "2");
    await expect(editor).not.toHaveAttribute("readonly");
  });

  test("clicking twice, or from two tabs, starts one job", async ({ author }) => {
    const { page } = author;
    const { card, id, storyUrl } = await storyWithTwoPages(page, "The Double");
    const second = await page.context().newPage();
    await second.goto(storyUrl);
    const secondCard = cardById(second, id);
    await secondCard.getByTestId("page-content").click();

    await card.getByTestId("page-content").click();
    await card.getByTestId("generate-button").dblclick();
    await expect(card.getByTestId("generate-status")).toHaveAttribute("data-status", /pending|running/);
    // The other tab asks too: it joins the running job instead of starting another.
    await secondCard.getByTestId("generate-button").click();
    await expect(secondCard.getByTestId("generate-status")).toHaveAttribute("data-status", /pending|running/);
    await expect(secondCard.getByTestId("generate-button")).toBeDisabled();

    await expect(card.getByTestId("generate-status")).toHaveAttribute("data-status", "succeeded", JOB);
    await expect(secondCard.getByTestId("generate-status")).toHaveAttribute("data-status", "succeeded", JOB);
    const written = await card.getByTestId("page-editor").inputValue();
    await expect(secondCard.getByTestId("page-editor")).toHaveValue(written);
    await expect(card).toHaveAttribute("data-version", "2");
    await expect(secondCard).toHaveAttribute("data-version", "2");
    await second.close();

    await card.getByTestId("page-cancel").click();
    expect(await aiRevisionCount(card)).toBe(1);
  });

  test("a page edited in another tab during a job gets a suggestion instead of being overwritten", async ({ author }) => {
    const { page } = author;
    const start = `${OPENING} The keeper rowed out at dawn to look for the missing boat, and the fog followed her all the way.`;
    const { card, id, storyUrl } = await storyWithTwoPages(page, "The Suggestion", start);
    const other = await page.context().newPage();
    await other.goto(storyUrl);
    const otherCard = cardById(other, id);
    await otherCard.getByTestId("page-content").click();
    const theirs = "Written in the other tab while the AI was busy.";
    await otherCard.getByTestId("page-editor").fill(theirs);

    await card.getByTestId("page-content").click();
    await card.getByTestId("generate-button").click();
    await expect(card.getByTestId("generate-status")).toHaveAttribute("data-status", "running", JOB);
    await otherCard.getByTestId("page-save").click();
    await expect(otherCard.getByTestId("page-content")).toHaveText(theirs);

    // The job ends as a suggestion: the other tab's text stays on the page.
    const status = card.getByTestId("generate-status");
    await expect(status).toHaveAttribute("data-status", "succeeded", JOB);
    await expect(status).toHaveAttribute("data-resolution", "suggested");
    const editor = card.getByTestId("page-editor");
    await expect(editor).toHaveValue(theirs);
    const panel = card.getByTestId("suggestion-panel");
    await expect(panel).toBeVisible();
    await expect(panel.getByTestId("suggestion-current-text")).toHaveText(theirs);
    const suggested = (await panel.getByTestId("suggestion-text").textContent()) ?? "";
    expect(suggested.length).toBeGreaterThan(0);
    expect(suggested).not.toBe(theirs);
    await expect(card).toHaveAttribute("data-version", "3");
    await card.getByTestId("page-cancel").click();

    // Open suggestions are part of the page: a reload (and the other tab) shows them.
    await page.reload();
    const reloaded = cardById(page, id);
    await expect(reloaded.getByTestId("page-content")).toHaveText(theirs);
    await expect(reloaded.getByTestId("suggestion-text")).toHaveText(suggested);

    // Apply puts it on top of the current version.
    await reloaded.getByTestId("suggestion-apply").click();
    await expect(reloaded.getByTestId("suggestion-panel")).toHaveCount(0);
    await expect(reloaded.getByTestId("page-content")).toHaveText(suggested);
    await expect(reloaded).toHaveAttribute("data-version", "4");
    await page.reload();
    await expect(cardById(page, id).getByTestId("page-content")).toHaveText(suggested);
    await expect(cardById(page, id).getByTestId("suggestion-panel")).toHaveCount(0);
    await other.close();
  });
});
