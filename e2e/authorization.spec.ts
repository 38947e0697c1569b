import { expect, test } from "./fixtures";

test.describe("authorization", () => {
  test("another author opening my story's address sees a not-found page", async ({
    author,
    storiesPage,
    storyPage,
    otherAuthor,
  }) => {
    // The story is the signed-up author's; the other author has an account and a session of their own.
    expect(otherAuthor.user.email).not.toBe(author.user.email);
    const storyId = await storiesPage.createStory("A's private story", "Nobody else may read this.");
    await storyPage.addPageButton.click();
    await expect(storyPage.cards).toHaveCount(1);

    const other = otherAuthor.page;
    const response = await other.goto(`/stories/${storyId}`);
    expect(response?.status()).toBe(404);
    await expect(other.getByTestId("not-found")).toBeVisible();
    await expect(other.getByRole("heading", { name: "Story not found" })).toBeVisible();
    await expect(other.getByText("A's private story")).toHaveCount(0);
    await expect(otherAuthor.story.cards).toHaveCount(0);

    // Nor does it appear in their list.
    await otherAuthor.stories.goto();
    await expect(otherAuthor.stories.empty).toBeVisible();
    await expect(otherAuthor.stories.rows).toHaveCount(0);
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

  test("a server action posted from another site is refused with 403, not a server error", async ({ author }) => {
    // The signed-in author's cookies ride along, as they would on a forged cross-site form post.
    const response = await author.page.request.post("/stories", {
      headers: { "Next-Action": "0123456789abcdef", Origin: "https://evil.example", "Content-Type": "text/plain" },
      data: "[]",
    });
    expect(response.status()).toBe(403);
  });

  test("pages and the API answer with the security headers; the page runs under its policy", async ({ author }) => {
    const response = await author.page.goto("/stories");
    const headers = response!.headers();
    expect(headers["content-security-policy"]).toMatch(/'nonce-[^']+' 'strict-dynamic'/);
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    // Hydrated under the policy (no violation is logged: the fixture checks that after every test).
    await expect(author.page.getByTestId("story-create-title")).toBeEditable();
    const api = await author.page.request.get("/api/v1/openapi.json");
    expect(api.headers()["x-content-type-options"]).toBe("nosniff");
  });
});
