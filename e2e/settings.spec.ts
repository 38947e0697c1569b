import { createStory, expect, test } from "./fixtures";

test("an author creates an API token, sees it once, generates through the API, revokes it", async ({ author, request }) => {
  const { page } = author;
  await createStory(page, "Through the API", "Scripts write pages too.");
  await page.getByTestId("page-add-end").click();
  const card = page.getByTestId("page-card").first();
  await expect(card).toBeVisible();
  const pageId = (await card.getAttribute("data-page-id"))!;

  await page.getByTestId("nav-settings").click();
  await page.waitForURL(/\/settings$/);
  await expect(page.getByTestId("token-empty")).toBeVisible();
  await page.getByTestId("token-name").fill("e2e script");
  await page.getByTestId("token-create").click();
  const secret = (await page.getByTestId("token-secret").textContent())!.trim();
  expect(secret).toMatch(/^ss_[A-Za-z0-9_-]{43}$/);
  const row = page.getByTestId("token-row").filter({ hasText: "e2e script" });
  await expect(row).toBeVisible();
  await expect(row).toContainText(secret.slice(0, 9));

  // Shown once: after a reload only the prefix is left.
  await page.reload();
  await expect(page.getByTestId("token-secret")).toHaveCount(0);
  await expect(page.locator("body")).not.toContainText(secret);

  const headers = { authorization: `Bearer ${secret}` };
  const generated = await request.post(`/api/v1/pages/${pageId}/generate`, { headers, data: { instruction: "a quiet morning" } });
  expect(generated.status()).toBe(202);
  const body = await generated.json();
  expect(body).toMatchObject({ created: true, job: { pageId, instruction: "a quiet morning" } });
  const job = await request.get(`/api/v1/jobs/${body.job.id}`, { headers });
  expect(job.status()).toBe(200);
  // The session cookie alone is not enough for the API.
  expect((await page.request.get(`/api/v1/jobs/${body.job.id}`)).status()).toBe(401);

  await page.getByTestId("token-row").filter({ hasText: "e2e script" }).getByTestId("token-revoke").click();
  await expect(page.getByTestId("confirm-dialog")).toBeVisible();
  await page.getByTestId("confirm-accept").click();
  await expect(page.getByTestId("token-row").filter({ hasText: "e2e script" })).toHaveAttribute("data-revoked", "true");

  const refused = await request.post(`/api/v1/pages/${pageId}/generate`, { headers, data: {} });
  expect(refused.status()).toBe(401);
  expect(await refused.json()).toMatchObject({ code: "UNAUTHENTICATED" });
});
