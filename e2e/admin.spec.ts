import { e2eAdmin, expect, test } from "./fixtures";

// Admin job history: an author's job shows up in the admin's history, filtered by that author; the admin opens it,
// retries it and lands on the new job, linked both ways. Authors never see the admin pages (404).
test.describe.configure({ timeout: 120_000 });
const JOB = { timeout: 60_000 };

test("an admin filters the history, opens a job and retries it; an author gets 404", async ({
  author,
  storiesPage,
  storyPage,
  admin,
}) => {
  const { page, user } = author;

  // The author generates one page so there is a job to find.
  const storyId = await storiesPage.createStory("The Admin's Lighthouse", "A keeper and the sea.");
  await storyPage.addPageButton.click();
  const card = storyPage.card(0);
  await card.open();
  await card.generate();
  await card.ai.expectSucceeded();
  // The AI's text gets its summary in the background (a job of the author's too): waited for, so that the jobs
  // below are a known list.
  await card.summary.open();
  await expect(card.summary.text).toBeVisible(JOB);

  // Authors have no admin links and the admin URLs do not exist for them.
  await expect(storyPage.navLink("admin-jobs")).toHaveCount(0);
  for (const url of ["/admin/jobs", "/admin/usage", "/admin/health"]) {
    const response = await page.goto(url);
    expect(response?.status(), url).toBe(404);
  }
  expect((await page.request.get("/api/admin/jobs.csv")).status()).toBe(404);

  const { jobs, job } = admin;
  await jobs.navigate("admin-jobs");
  await expect(jobs.table).toBeVisible();

  // Filter by the author (email), status and type: exactly the author's job (its page's summary is another type).
  await jobs.filter({ user: user.email, status: "succeeded", type: "page_text.write" });
  await admin.page.waitForURL(/requestedBy=/);
  expect(new URL(admin.page.url()).searchParams.get("status")).toBe("succeeded");
  await expect(jobs.rows).toHaveCount(1);
  await expect(jobs.row(0)).toContainText("The Admin's Lighthouse");
  await expect(jobs.row(0)).toContainText(user.email);
  await expect(jobs.count("succeeded")).toHaveText("1");

  // A search that is not a job id is explained, not a crash.
  const filteredUrl = admin.page.url();
  await jobs.filter({ jobId: "lighthouse" });
  await expect(jobs.filtersError).toContainText(/job id/i);
  await admin.page.goto(filteredUrl);

  // Open the job: prompt, output and engine steps are there.
  const oldId = await jobs.openRow(0);
  await expect(job.jobId).toHaveText(oldId);
  await expect(job.renderedPrompt).toContainText("The Admin's Lighthouse");
  await expect(job.output).not.toBeEmpty();
  await expect(job.steps.first()).toBeVisible();

  // Retry: a new job, shown at once, linked to the old one.
  const newId = await job.retry(oldId);
  await expect(job.retryOf).toContainText(oldId);
  await job.openRetryOf(oldId);
  await expect(job.retriedAs).toContainText(newId);

  // The new job runs to the end and shows up in the history as a retry.
  await job.expectStatusEventually(newId, "succeeded", JOB);

  // The admin's retry did not write into the author's page: it waits there as a suggestion.
  await storyPage.goto(storyId);
  await expect(storyPage.card(0).suggestion).toBeVisible();

  // Paging one job at a time through the story's three jobs (the retry is the admin's; the page's summary and the
  // first job the author's): newest, older, and back. The retry landed as a suggestion, so no new summary follows.
  await jobs.goto({ scopeId: storyId, limit: "1" });
  await expect(jobs.rows).toHaveCount(1);
  await jobs.expectRowJob(0, newId);
  await expect(jobs.prevPage).toHaveCount(0);
  await expect(jobs.row(0)).toContainText(e2eAdmin().email);
  await jobs.nextPage.click();
  await expect(jobs.row(0)).toContainText("page.summarize");
  await jobs.nextPage.click();
  await jobs.expectRowJob(0, oldId);
  await expect(jobs.row(0)).toContainText(user.email);
  await expect(jobs.nextPage).toHaveCount(0);
  await jobs.prevPage.click();
  await expect(jobs.row(0)).toContainText("page.summarize");
  await jobs.prevPage.click();
  await jobs.expectRowJob(0, newId);
  await expect(jobs.prevPage).toHaveCount(0);
});

test("an admin reads the health page: the models called in the last hour and the engine", async ({
  author,
  storiesPage,
  storyPage,
  admin,
}) => {
  await storiesPage.createStory("The Healthy Lighthouse", "A keeper.");
  await storyPage.addPageButton.click();
  const card = storyPage.card(0);
  await card.open();
  await card.generate();
  await card.ai.expectSucceeded();
  // `author` is listed for its effect: the page objects act in a tab signed in as a fresh author.
  void author;

  const response = await admin.page.goto("/admin/health");
  expect(response?.status()).toBe(200);
  await expect(admin.page.getByRole("heading", { name: "Health", level: 1 })).toBeVisible();
  await expect(admin.page.getByTestId("health-model-row").filter({ hasText: "offline" })).toBeVisible();
  await expect(admin.page.getByTestId("health-engine")).toContainText("embedded, running");

  const ready = await admin.page.request.get("/api/health/ready");
  expect(ready.status()).toBe(200);
  expect(await ready.json()).toMatchObject({ status: "ready", database: { ok: true }, engine: { ok: true } });
});
