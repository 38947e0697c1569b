import { expect, test } from "./fixtures";
import { StoryPage } from "./pages/story";
import { TakesPanel } from "./pages/takes";

// The e2e server's offline model types slowly (scripts/e2e-server.sh), so the takes are seen streaming.
test.describe.configure({ timeout: 300_000 });
const JOB = { timeout: 60_000 };

const OPENING =
  "Mara kept the lighthouse on Gull Rock for eleven winters. Every night she climbed the stairs with the lamp oil, " +
  "and every night the sea answered the light with the same slow breathing. The harbour below was small and the boats were old.";

test.describe("takes", () => {
  test("takes stream side by side, survive a reload and a second tab, another take keeps the others, and the chosen one becomes the page", async ({
    author,
    storiesPage,
    storyPage,
  }) => {
    await storiesPage.createStory("Takes of the Keeper", "A lighthouse keeper and the sea.");
    const card = await storyPage.addPageWithText(OPENING);
    await card.open();
    const takes = new TakesPanel(card.root);
    await expect(takes.button).toHaveText(/Generate takes/);
    await expect(takes.count).toHaveValue("3");
    await takes.generate(2);

    // Two takes, written at once: both are being written before either is done.
    await expect(takes.cards).toHaveCount(2);
    await expect(takes.take(1)).toHaveAttribute("data-status", /pending|running/);
    await expect(takes.take(2)).toHaveAttribute("data-status", /pending|running/);
    await expect(takes.button).toBeDisabled();
    await expect(takes.take(1).getByTestId("take-sampling")).toHaveText(/temperature [\d.]+, seed \d+/);

    await takes.expectAllDone(2);
    await expect(takes.state).toHaveText(/2 takes ready/);
    await expect(takes.take(1).getByTestId("take-tokens")).toHaveText(/\d+ in · \d+ out/);
    await expect(takes.take(2).getByTestId("take-elapsed")).toHaveText(/\d+ s/);
    const first = await takes.textOf(1);
    const second = await takes.textOf(2);
    expect(first).not.toBe(second);
    // Nothing is written until the author chooses.
    await expect(card.editor).toHaveValue(OPENING);

    // A reload shows the same takes.
    await author.page.reload();
    await card.open();
    await takes.expectAllDone(2);
    expect(await takes.textOf(1)).toBe(first);

    // A second tab of the same author shows them too.
    const tab = await author.page.context().newPage();
    await tab.goto(author.page.url());
    const other = new StoryPage(tab).cardById(await card.id());
    await other.open();
    const otherTakes = new TakesPanel(other.root);
    await otherTakes.expectAllDone(2);
    expect(await otherTakes.textOf(2)).toBe(second);

    // Another take joins the set without losing the others; the second tab sees it arrive.
    await takes.more.click();
    await expect(takes.cards).toHaveCount(3);
    await takes.expectAllDone(3);
    expect(await takes.textOf(1)).toBe(first);
    await expect(otherTakes.cards).toHaveCount(3, JOB);
    await tab.close();

    // Choose take 2: it becomes the page's text; the others are discarded.
    await takes.choose(2);
    await expect(takes.outcome).toHaveText(/Take 2 is now the page's text/);
    await expect(card.editor).toHaveValue(second, JOB);
    await expect(takes.cards).toHaveCount(0);
    await expect(takes.button).toBeEnabled();
  });
});
