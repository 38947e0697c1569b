import { expect, test } from "./fixtures";

// The prompt library and presets: an admin edits page_write into a draft (Liquid errors shown with their line),
// previews it against an author's page, publishes it; the author's next job records that version (using a built-in
// preset and a saved one); the job's detail links to the version. The edit only adds a Liquid comment, so the
// rendered prompt is unchanged for any spec running beside this one, and the spec rolls back at the end.
// Generous: the run waits for a real (offline) generation and its job row on a shared, often busy machine.
test.describe.configure({ timeout: 300_000 });
const JOB = { timeout: 60_000 };

test("admin drafts, previews and publishes a prompt version; a new job records it; an author uses presets", async ({
  author,
  storiesPage,
  storyPage,
  admin,
}) => {
  const { page, user } = author;
  const title = `The Prompted Lighthouse ${Date.now()}`;
  await storiesPage.createStory(title, "A keeper and the sea.");
  await storyPage.addPageWithText("Mara climbed the stairs with the lamp oil.");
  const card = await storyPage.addPageWithText("");
  await card.open();

  // Authors never see the prompt library.
  expect((await page.request.get("/admin/prompts")).status()).toBe(404);

  // The admin opens the published page_write version.
  const a = admin.page;
  await a.goto("/admin/prompts");
  const family = a.getByTestId("prompt-family-page_write");
  await expect(family).toBeVisible();
  const publishedRow = family.getByRole("listitem").filter({ has: a.getByText("published", { exact: true }) });
  await publishedRow.getByRole("link").click();
  await a.waitForURL(/\/admin\/prompts\/page_write\/\d+$/);
  const previousVersion = Number(a.url().split("/").pop());
  await expect(a.getByTestId("prompt-is-published")).toBeVisible();

  try {
    const body = a.getByTestId("prompt-body");
    const original = await body.inputValue();

    // Invalid Liquid: the error names its line, nothing is saved.
    await body.fill("First line\n{% if story.title %}\nnever closed");
    await a.getByTestId("prompt-save-draft").click();
    await expect(a.getByTestId("prompt-save-error")).toContainText(/line 2/);
    expect(a.url()).toMatch(new RegExp(`/page_write/${previousVersion}$`));

    // A valid edit becomes a new draft version, with its diff against the published one.
    await body.fill(`{% comment %}e2e edit ${Date.now()}{% endcomment %}${original}`);
    await a.getByTestId("prompt-save-draft").click();
    await a.waitForURL((url) => !url.pathname.endsWith(`/page_write/${previousVersion}`));
    const newVersion = Number(a.url().split("/").pop());
    expect(newVersion).toBeGreaterThan(previousVersion);
    await expect(a.getByTestId("prompt-version-status")).toHaveText("draft");
    await expect(a.getByTestId("prompt-diff")).toContainText("e2e edit");

    // Preview against the author's story and its blank page: the prompt and its tokens.
    await a.getByTestId("prompt-preview-story").selectOption({ label: title });
    await a.getByTestId("prompt-preview-page").selectOption({ label: "Page 2" });
    await a.getByTestId("prompt-preview-button").click();
    await expect(a.getByTestId("prompt-preview-text")).toContainText(title);
    await expect(a.getByTestId("prompt-preview-text")).toContainText("Mara climbed the stairs");
    expect(Number((await a.getByTestId("prompt-preview-tokens").textContent())?.replace(/\D/g, ""))).toBeGreaterThan(0);

    // Publish: new jobs use it.
    await a.getByTestId("prompt-publish").click();
    await expect(a.getByTestId("prompt-version-status")).toHaveText("published");

    // The author picks a built-in preset (it fills the instruction), saves their own, and generates with it.
    await card.root.getByTestId("preset-dialogue").click();
    await expect(card.ai.instruction).toHaveValue(/Add dialogue/);
    await card.ai.instruction.fill("Make the storm louder.");
    await card.root.getByTestId("preset-save-open").click();
    await card.root.getByTestId("preset-name").fill("Louder storm");
    await card.root.getByTestId("preset-save").click();
    await expect(card.root.getByTestId("preset-Louder storm")).toBeVisible();
    await card.ai.instruction.fill("");
    await card.root.getByTestId("preset-Louder storm").click();
    await expect(card.ai.instruction).toHaveValue("Make the storm louder.");
    await card.ai.button.click();
    await card.ai.expectSucceeded();

    // The job recorded the new version; its detail links to it.
    await admin.jobs.navigate("admin-jobs");
    await admin.jobs.filter({ user: user.email, status: "succeeded", type: "page_text.write" });
    await expect(admin.jobs.rows).toHaveCount(1, JOB);
    await admin.jobs.openRow(0);
    const link = a.getByTestId("job-template-link");
    await expect(link).toHaveText(`page_write v${newVersion}`);
    await link.click();
    await a.waitForURL(new RegExp(`/admin/prompts/page_write/${newVersion}$`));
    // Another spec's job may have recorded it too when specs run side by side.
    await expect(a.getByTestId("prompt-version-facts")).toContainText(/recorded by [1-9]\d* jobs?/);
    await expect(a.getByTestId("prompt-delete-draft")).toHaveCount(0);
  } finally {
    // Roll back to the version that was published before, so the run leaves the library as it found it.
    await a.goto(`/admin/prompts/page_write/${previousVersion}`);
    const publish = a.getByTestId("prompt-publish");
    if (await publish.isVisible()) {
      await publish.click();
      await expect(a.getByTestId("prompt-version-status")).toHaveText("published");
    }
  }

  // The saved preset is the author's, kept across reloads, and can be deleted.
  await page.reload();
  await storyPage.card(1).open();
  const again = storyPage.card(1);
  await expect(again.root.getByTestId("preset-Louder storm")).toBeVisible();
  await again.root.getByRole("button", { name: "Delete preset Louder storm" }).click();
  await expect(again.root.getByTestId("preset-Louder storm")).toHaveCount(0);
});
