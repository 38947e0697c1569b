import { expect, test } from "./fixtures";
import { PromptPreview } from "./pages/prompt-preview";

const OPENING =
  "Mara kept the lighthouse on Gull Rock for eleven winters. Every night she climbed the stairs with the lamp oil.";

test.describe("prompt preview", () => {
  test("shows each part of the prompt with its tokens and why, the total against the budget, and the cost", async ({
    author,
    storiesPage,
    storyPage,
  }) => {
    await storiesPage.createStory("The Preview", "A lighthouse keeper and the sea.");
    await storyPage.addPageWithText(OPENING);
    const card = await storyPage.addPageWithText("");
    await card.open();

    await card.ai.instruction.fill("a storm reaches the harbour");
    await card.ai.previewButton.click();
    const preview = new PromptPreview(author.page);
    await expect(preview.dialog).toBeVisible();
    await expect(preview.dialog.getByRole("heading", { name: "Prompt preview" })).toBeVisible();

    // The short story goes whole: template, instruction, the neighbour page and the target.
    await expect(preview.section("target")).toHaveCount(1);
    await expect(preview.section("neighbour")).toHaveCount(1);
    await expect(preview.section("instruction")).toHaveCount(1);
    await expect(preview.section("target").getByTestId("context-section-reason")).toContainText("always whole");
    const tokens = await preview.sectionTokens();
    expect(tokens.every((n) => n > 0)).toBe(true);
    const [total, budget] = await preview.totalAndBudget();
    expect(total).toBe(tokens.reduce((a, b) => a + b, 0));
    expect(total).toBeLessThanOrEqual(budget);
    await expect(preview.coverage).toHaveText("2 of 2 pages represented");
    await expect(preview.cost).toHaveText(/\$0\.00/);

    // Nothing ran: closing leaves Generate ready, with no job.
    await preview.closeButton.click();
    await expect(preview.dialog).toHaveCount(0);
    await expect(card.ai.button).toHaveText(/Generate with AI/);
    await expect(card.ai.status).toHaveCount(0);
  });
});
