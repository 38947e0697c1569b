import { expect, test } from "./fixtures";

test("an author creates an API token, sees it once, generates through the API, revokes it", async ({
  author,
  storiesPage,
  storyPage,
  settingsPage,
  request,
}) => {
  const { page } = author;
  await storiesPage.createStory("Through the API", "Scripts write pages too.");
  await storyPage.addPageButton.click();
  const card = storyPage.card(0);
  await expect(card.root).toBeVisible();
  const pageId = await card.id();

  await settingsPage.goto();
  await expect(settingsPage.tokenEmpty).toBeVisible();
  const secret = await settingsPage.createToken("e2e script");
  expect(secret).toMatch(/^ss_[A-Za-z0-9_-]{43}$/);
  const row = settingsPage.tokenRow("e2e script");
  await expect(row).toBeVisible();
  await expect(row).toContainText(secret.slice(0, 9));

  // Shown once: after a reload only the prefix is left.
  await settingsPage.reload();
  await expect(settingsPage.tokenSecret).toHaveCount(0);
  await expect(page.locator("body")).not.toContainText(secret);

  const headers = { authorization: `Bearer ${secret}` };
  const generated = await request.post(`/api/v1/pages/${pageId}/generate`, {
    headers,
    data: { instruction: "a quiet morning" },
  });
  expect(generated.status()).toBe(202);
  const body = await generated.json();
  expect(body).toMatchObject({ created: true, job: { pageId, instruction: "a quiet morning" } });
  const job = await request.get(`/api/v1/jobs/${body.job.id}`, { headers });
  expect(job.status()).toBe(200);
  // The session cookie alone is not enough for the API.
  expect((await page.request.get(`/api/v1/jobs/${body.job.id}`)).status()).toBe(401);

  await settingsPage.askToRevoke("e2e script");
  await expect(settingsPage.confirmDialog).toBeVisible();
  await settingsPage.confirm();
  await expect(settingsPage.tokenRow("e2e script")).toHaveAttribute("data-revoked", "true");

  const refused = await request.post(`/api/v1/pages/${pageId}/generate`, { headers, data: {} });
  expect(refused.status()).toBe(401);
  expect(await refused.json()).toMatchObject({ code: "UNAUTHENTICATED" });
});

test("an author rates a story and lowers their own maximum: the story says the AI is held below its rating", async ({
  author,
  storiesPage,
  storyPage,
  settingsPage,
}) => {
  // `author` is listed for its effect: the page objects act in a tab signed in as a fresh author.
  void author;
  const storyId = await storiesPage.createStory("Rated Mature", "Smugglers on the pier.");
  await expect(storyPage.rating).toHaveValue("general");
  // Saved by a server action as soon as it changes: its own answer is waited for before the reload. The page sends
  // other server actions to the same address, so the request is told apart by the rating it carries.
  await Promise.all([
    storyPage.page.waitForResponse(
      (r) =>
        r.request().method() === "POST" && r.url().includes(storyId) && /"mature"/.test(r.request().postData() ?? ""),
    ),
    storyPage.rating.selectOption("mature"),
  ]);
  await expect(storyPage.rating).not.toHaveAttribute("aria-busy", "true");
  await storyPage.page.reload();
  await expect(storyPage.rating).toHaveValue("mature");
  await expect(storyPage.ratingClamp).toHaveCount(0);

  await settingsPage.goto();
  await settingsPage.myRating.selectOption("teen");
  await settingsPage.myRatingSave.click();
  await expect(settingsPage.myRatingSaved).toBeVisible();

  await storyPage.goto(storyId);
  await expect(storyPage.rating).toHaveValue("mature");
  await expect(storyPage.ratingClamp).toContainText("Teen");
  await expect(storyPage.ratingClamp).toContainText("your account");
});
