import { createStory, e2eAdmin, expect, signIn, test } from "./fixtures";

// Admin job history: an author's job shows up in the admin's history, filtered by that author; the admin opens it,
// retries it and lands on the new job, linked both ways. Authors never see the admin pages (404).
test.describe.configure({ timeout: 120_000 });
const JOB = { timeout: 60_000 };

test("an admin filters the history, opens a job and retries it; an author gets 404", async ({ author, browser }) => {
  const { page, user } = author;

  // The author generates one page so there is a job to find.
  const storyId = await createStory(page, "The Admin's Lighthouse", "A keeper and the sea.");
  await page.getByTestId("page-add-end").click();
  const card = page.getByTestId("page-card").first();
  await card.getByTestId("page-content").click();
  await card.getByTestId("generate-button").click();
  await expect(card.getByTestId("generate-status")).toHaveAttribute("data-status", "succeeded", JOB);

  // Authors have no admin links and the admin URLs do not exist for them.
  await expect(page.getByTestId("nav-admin-jobs")).toHaveCount(0);
  for (const url of ["/admin/jobs", "/admin/usage"]) {
    const response = await page.goto(url);
    expect(response?.status(), url).toBe(404);
  }
  expect((await page.request.get("/api/admin/jobs.csv")).status()).toBe(404);

  const context = await browser.newContext();
  const admin = await context.newPage();
  await signIn(admin, e2eAdmin());
  await admin.getByTestId("nav-admin-jobs").click();
  await admin.waitForURL(/\/admin\/jobs$/);
  await expect(admin.getByTestId("jobs-table")).toBeVisible();

  // Filter by the author (email) and status: exactly the author's job.
  await admin.getByTestId("filter-user").fill(user.email);
  await admin.getByTestId("filter-status").selectOption("succeeded");
  await admin.getByTestId("filter-apply").click();
  await admin.waitForURL(/requestedBy=/);
  expect(new URL(admin.url()).searchParams.get("status")).toBe("succeeded");
  const rows = admin.getByTestId("job-row");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("The Admin's Lighthouse");
  await expect(rows.first()).toContainText(user.email);
  await expect(admin.getByTestId("count-succeeded")).toHaveText("1");

  // A search that is not a job id is explained, not a crash.
  const filteredUrl = admin.url();
  await admin.getByTestId("filter-job-id").fill("lighthouse");
  await admin.getByTestId("filter-apply").click();
  await expect(admin.getByTestId("filters-error")).toContainText(/job id/i);
  await admin.goto(filteredUrl);

  // Open the job: prompt, output and engine steps are there.
  const oldId = (await rows.first().getAttribute("data-job-id"))!;
  await rows.first().getByTestId("job-link").click();
  await admin.waitForURL(new RegExp(`/admin/jobs/${oldId}$`));
  await expect(admin.getByTestId("job-id")).toHaveText(oldId);
  await expect(admin.getByTestId("job-rendered-prompt")).toContainText("The Admin's Lighthouse");
  await expect(admin.getByTestId("job-output").locator("pre")).not.toBeEmpty();
  await expect(admin.getByTestId("job-step").first()).toBeVisible();

  // Retry: a new job, shown at once, linked to the old one.
  await admin.getByTestId("job-retry").click();
  await admin.waitForURL((url) => /\/admin\/jobs\/[0-9a-f-]{36}$/.test(url.pathname) && !url.pathname.endsWith(oldId));
  const newId = admin.url().split("/").pop()!;
  await expect(admin.getByTestId("job-retry-of")).toContainText(oldId);
  await admin.getByTestId("job-retry-of").click();
  await admin.waitForURL(new RegExp(`/admin/jobs/${oldId}$`));
  await expect(admin.getByTestId("job-retried-as")).toContainText(newId);

  // The new job runs to the end and shows up in the history as a retry.
  await expect
    .poll(async () => {
      await admin.goto(`/admin/jobs/${newId}`);
      return admin.getByTestId("job-status").first().textContent();
    }, JOB)
    .toBe("succeeded");

  // The admin's retry did not write into the author's page: it waits there as a suggestion.
  await page.goto(`/stories/${storyId}`);
  await expect(page.getByTestId("page-card").first().getByTestId("suggestion-panel")).toBeVisible();

  // Paging one job at a time through the story's two jobs (the retry is the admin's, the first the author's):
  // newest, older, and back.
  await admin.goto(`/admin/jobs?${new URLSearchParams({ scopeId: storyId, limit: "1" })}`);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute("data-job-id", newId);
  await expect(admin.getByTestId("page-prev")).toHaveCount(0);
  await expect(rows.first()).toContainText(e2eAdmin().email);
  await admin.getByTestId("page-next").click();
  await expect(rows.first()).toHaveAttribute("data-job-id", oldId);
  await expect(rows.first()).toContainText(user.email);
  await expect(admin.getByTestId("page-next")).toHaveCount(0);
  await admin.getByTestId("page-prev").click();
  await expect(rows.first()).toHaveAttribute("data-job-id", newId);
  await expect(admin.getByTestId("page-prev")).toHaveCount(0);
  await context.close();
});
