import { expect, test } from "./fixtures";
import type { PageCard } from "./pages/page-card";
import type { StoriesPage } from "./pages/stories";
import type { StoryPage } from "./pages/story";

// Every tab showing a story sees the jobs running on its pages, wherever they were started (another tab, the REST
// API), with their retries and their outcome. Two tabs share one browser context, as an author's tabs do. The e2e
// server's offline model types slowly (scripts/e2e-server.sh) and can be asked for faults by a prompt marker
// (OFFLINE_MODEL_FAULTS, lib/ai/offline-faults.ts); retries wait 3 s, 6 s, 12 s (AI_RETRY_BASE_MS).
test.describe.configure({ timeout: 120_000 });
const JOB = { timeout: 60_000 };

const OPENING =
  "Mara kept the lighthouse on Gull Rock for eleven winters. Every night she climbed the stairs with the lamp oil, " +
  "and every night the sea answered the light with the same slow breathing. The harbour below was small and the boats were old.";

/** A story with one written page and a blank one; returns the blank page (by id). */
async function storyWithBlankPage(stories: StoriesPage, story: StoryPage, title: string): Promise<PageCard> {
  await stories.createStory(title, "A lighthouse keeper and the sea.");
  await story.addPageWithText(OPENING);
  return story.addPageWithText("");
}

test.describe("every tab, every moment", () => {
  test("a tab open before a job starts elsewhere follows it: badge, streaming text, read-only editor, a refused save, the outcome", async ({
    author,
    storiesPage,
    storyPage,
  }) => {
    const card = await storyWithBlankPage(storiesPage, storyPage, "Two Tabs");
    const other = await storyPage.openInNewTab();
    const otherCard = other.cardById(await card.id());
    const mine = "Typed in the other tab before the AI started.";
    await otherCard.type(mine);

    await card.open();
    await card.generate();
    await card.ai.expectRunning();

    // The other tab learns of the job from the story's stream: running, read-only, the AI's words streaming in,
    // and the author's own text kept aside.
    await expect(otherCard.aiBadge).toBeVisible();
    await otherCard.ai.expectRunning();
    await expect(otherCard.editor).toHaveAttribute("readonly", "");
    await expect(otherCard.draftKept).toBeVisible();
    await expect.poll(() => otherCard.editorText(), JOB).not.toBe(mine);
    await expect(otherCard.saveButton).toBeDisabled();
    // A save there (Ctrl+S) is refused in words, not written over the AI.
    await otherCard.editor.press("Control+s");
    await expect(otherCard.error).toContainText("Not saved: the AI is writing this page");

    // Both tabs see the outcome.
    await card.ai.expectSucceeded();
    await otherCard.ai.expectSucceeded();
    await otherCard.ai.expectResolution("applied");
    await expect(other.toast("wrote page 2")).toBeVisible();
    await expect(otherCard.aiBadge).toHaveCount(0);
    await otherCard.expectVersion(2);

    // The typed text comes back; saving it now shows both versions instead of silently replacing the AI's.
    await expect(otherCard.editor).toHaveValue(mine);
    await expect(otherCard.editor).not.toHaveAttribute("readonly");
    await expect(otherCard.error).toHaveCount(0);
    await otherCard.save();
    await expect(otherCard.conflict).toBeVisible();
    await card.expectVersion(2);
    await other.close();
  });

  test("a job started through the REST API shows live in an open tab, with its outcome", async ({
    author,
    storiesPage,
    storyPage,
    settingsPage,
    request,
  }) => {
    const card = await storyWithBlankPage(storiesPage, storyPage, "Through the API, live");
    const pageId = await card.id();
    const storyUrl = author.page.url();
    await settingsPage.goto();
    const secret = await settingsPage.createToken("live script");
    await author.page.goto(storyUrl);
    await expect(card.root).toBeVisible();

    const started = await request.post(`/api/v1/pages/${pageId}/generate`, {
      headers: { authorization: `Bearer ${secret}` },
      data: { instruction: "a quiet morning" },
    });
    expect(started.status()).toBe(202);

    await expect(card.aiBadge).toBeVisible(JOB);
    await expect(card.generating).toBeVisible();
    await expect.poll(async () => ((await card.streaming.textContent()) ?? "").length, JOB).toBeGreaterThan(0);
    await expect(card.generating).toHaveCount(0, JOB);
    await card.expectVersion(2);
    await expect(card.content).not.toHaveText("");
    await expect(storyPage.toast("wrote page 2")).toBeVisible();
  });

  test("retries show in every tab: the attempt, the reason in words, when the next try comes", async ({
    author,
    storiesPage,
    storyPage,
  }) => {
    const card = await storyWithBlankPage(storiesPage, storyPage, "Retried");
    const other = await storyPage.openInNewTab();
    const otherCard = other.cardById(await card.id());

    await card.open();
    // The offline model fails its first two calls for this prompt, as an unavailable provider would.
    await card.generate({ instruction: "a calm evening [offline fault: unavailable 2]" });

    await expect(otherCard.ai.attempt).toHaveText(
      /^Attempt 1 of 4 failed — the AI provider was unavailable\. Trying again (in \d+ s|now)\.$/,
      JOB,
    );
    await expect(card.ai.attempt).toHaveText(
      /^Attempt 2 of 4 failed — the AI provider was unavailable\. Trying again (in \d+ s|now)\.$/,
      JOB,
    );
    await expect(otherCard.ai.attempt).toHaveText(
      "Attempt 3 of 4 — the last try failed: the AI provider was unavailable.",
      JOB,
    );
    // Never the provider's own message.
    await expect(other.page.locator("body")).not.toContainText("Service Unavailable");

    await card.ai.expectSucceeded();
    await expect(otherCard.generating).toHaveCount(0, JOB);
    await expect(otherCard.ai.attempt).toHaveCount(0);
    await otherCard.expectVersion(2);
    await card.expectVersion(2);
    await other.close();
  });

  test("a job that fails after its retries says so inline and in a notification, in every tab", async ({
    author,
    storiesPage,
    storyPage,
  }) => {
    const card = await storyWithBlankPage(storiesPage, storyPage, "Failed for good");
    const other = await storyPage.openInNewTab();
    const otherCard = other.cardById(await card.id());

    await card.open();
    await card.generate({ instruction: "a stormy night [offline fault: unavailable 4]" });
    await expect(otherCard.ai.attempt).toHaveText(/^Attempt 3 of 4 failed/, JOB);

    for (const [tab, c] of [
      [storyPage, card],
      [other, otherCard],
    ] as const) {
      await c.ai.expectStatus("failed", JOB);
      await expect(c.ai.status).toContainText("The AI provider was unavailable.");
      await expect(tab.toast("Page 2: The AI provider was unavailable.")).toBeVisible();
    }
    await expect(otherCard.aiBadge).toHaveCount(0);
    await card.expectVersion(1);
    await other.close();
  });

  test("an open history drawer shows the version the AI just wrote, and offers no restore of the current text", async ({
    author,
    storiesPage,
    storyPage,
  }) => {
    const card = await storyWithBlankPage(storiesPage, storyPage, "History follows");
    const other = await storyPage.openInNewTab();
    const otherCard = other.cardById(await card.id());
    const history = await otherCard.openHistory();
    await expect(history.items).toHaveCount(1);

    await card.open();
    await card.generate();
    await card.ai.expectSucceeded();

    await otherCard.expectVersion(2);
    await expect(history.items).toHaveCount(2);
    await expect(history.items.first()).toHaveAttribute("data-version", "2");
    await expect(history.restoreButton).toBeDisabled();
    await expect(history.restoreButton).toHaveText("Current version");

    // Restoring the blank version there adds a version; the drawer selects it and offers no restore of it.
    await history.select(1);
    await history.restore();
    await expect(history.items).toHaveCount(3);
    await expect(history.items.first()).toHaveAttribute("data-version", "3");
    await expect(history.restoreButton).toBeDisabled();
    await expect(history.restoreButton).toHaveText("Current version");
    await other.close();
  });
});
