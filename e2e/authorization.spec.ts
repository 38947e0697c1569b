import { createStory, expect, newSignedInPage, test } from "./fixtures";

test.describe("authorization", () => {
  test("another author opening my story's address sees a not-found page", async ({ author, browser }) => {
    const storyId = await createStory(author.page, "A's private story", "Nobody else may read this.");
    await author.page.getByTestId("page-add-end").click();
    await expect(author.page.getByTestId("page-card")).toHaveCount(1);

    const { page: other } = await newSignedInPage(browser, "intruder");
    const response = await other.goto(`/stories/${storyId}`);
    expect(response?.status()).toBe(404);
    await expect(other.getByTestId("not-found")).toBeVisible();
    await expect(other.getByRole("heading", { name: "Story not found" })).toBeVisible();
    await expect(other.getByText("A's private story")).toHaveCount(0);
    await expect(other.getByTestId("page-card")).toHaveCount(0);

    // Nor does it appear in their list.
    await other.goto("/stories");
    await expect(other.getByTestId("stories-empty")).toBeVisible();
    await expect(other.getByTestId("story-row")).toHaveCount(0);
    await other.context().close();
  });

  test("a missing story and a malformed id are not found either", async ({ author }) => {
    const { page } = author;
    const missing = await page.goto("/stories/00000000-0000-4000-8000-000000000000");
    expect(missing?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Story not found" })).toBeVisible();

    const malformed = await page.goto("/stories/not-a-story-id");
    expect(malformed?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Story not found" })).toBeVisible();
  });
});
