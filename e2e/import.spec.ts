import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "./fixtures";

const manuscript = `# The Garden

A short book about a garden.

## Spring

The seeds went in on a cold morning.

## Summer

Everything grew at once.
`;

// Import from the stories list: choose a file and a split, see the preview, confirm, follow the progress, land in the story.
test("imports a Markdown manuscript into a new story after previewing the split", async ({ author, storiesPage }) => {
  // Sign-up, upload, the background job and two page loads: more than the default budget on a loaded machine.
  test.slow();
  const { page } = author;
  await storiesPage.goto();
  await page.getByTestId("import-open").click();
  const dialog = page.getByTestId("import-dialog");
  await expect(dialog).toBeVisible();
  await page.getByTestId("import-file").setInputFiles({
    name: "garden.md",
    mimeType: "text/markdown",
    buffer: Buffer.from(manuscript),
  });
  await page.getByTestId("import-mode-headings").check();
  await page.getByTestId("import-preview").click();

  await expect(page.getByTestId("import-preview-title")).toHaveText("The Garden");
  await expect(page.getByTestId("import-preview-count")).toHaveText("2");
  await expect(page.getByTestId("import-preview-page")).toHaveCount(2);
  await expect(page.getByTestId("import-preview-page").first()).toContainText("# Spring");
  // The confirm button takes the place of the preview button and fades from its pending colours (transition-colors):
  // contrast is checked once that fade has ended, not half way (a run caught white on half-transparent green).
  await expect(page.getByTestId("import-confirm")).toBeEnabled();
  await dialog.evaluate(async (element) => {
    // A transition restyled part way is cancelled (its `finished` rejects with AbortError, which failed a CI run) and
    // replaced by a new one: wait again until none runs. Finished transitions are no longer listed.
    for (let pass = 0; pass < 20; pass++) {
      const running = element
        .getAnimations({ subtree: true })
        .filter((animation) => animation instanceof CSSTransition);
      if (running.length === 0) return;
      await Promise.all(running.map((animation) => animation.finished.catch(() => undefined)));
    }
  });
  const { violations } = await new AxeBuilder({ page }).include("[data-testid=import-dialog]").analyze();
  expect(violations.map((v) => v.id)).toEqual([]);

  await page.getByTestId("import-confirm").click();
  await page.waitForURL(/\/stories\/[0-9a-f-]{36}$/, { timeout: 30_000 });
  await expect(page.getByTestId("story-title")).toHaveText("The Garden");
  await expect(page.getByTestId("story-description")).toContainText("A short book about a garden.");
  await expect(page.getByTestId("page-card")).toHaveCount(2);
});

test("a file that is not what its name says gets a clear message and creates nothing", async ({
  author,
  storiesPage,
}) => {
  const { page } = author;
  await storiesPage.goto();
  await page.getByTestId("import-open").click();
  await page.getByTestId("import-file").setInputFiles({
    name: "novel.docx",
    mimeType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    buffer: Buffer.from("this is plain text, not a Word document"),
  });
  await page.getByTestId("import-preview").click();
  await expect(page.getByTestId("import-error")).toContainText("not what its name says");
  await page.getByTestId("import-cancel").click();
  await expect(page.getByTestId("import-dialog")).toBeHidden();
});
