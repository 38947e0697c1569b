import fs from "node:fs";
import { expect, test } from "./fixtures";
import { CodexPanel } from "./pages/codex";

// Export from the story page: the server streams the file as an attachment named after the story.
test("exports a story from its page as Markdown and as an EPUB with the codex appendix", async ({
  author,
  storiesPage,
  storyPage,
}) => {
  await storiesPage.createStory("Keeper's Log: *Part 1*", "A lighthouse & its keeper.");
  await storyPage.addPageWithText("# Arrival\nMara climbed the lighthouse stairs at dusk.");
  await storyPage.addPageWithText("The lamp was cold & the sea <loud>.");
  const codex = new CodexPanel(author.page);
  await codex.add({ kind: "character", name: "Mara", description: "Keeps the light." });

  const markdown = await storyPage.exportMenu.export("md");
  expect(markdown.suggestedFilename()).toBe("Keeper's Log Part 1.md");
  const text = fs.readFileSync(await markdown.path(), "utf8");
  expect(text).toBe(
    "# Keeper's Log: \\*Part 1\\*\n\nA lighthouse & its keeper.\n\n## Arrival\n\nMara climbed the lighthouse stairs at dusk.\n\n* * *\n\nThe lamp was cold & the sea \\<loud\\>.\n",
  );
  // The download did not navigate away.
  await expect(storyPage.title).toBeVisible();

  const epub = await storyPage.exportMenu.export("epub", { toc: "chapters", codex: true });
  expect(epub.suggestedFilename()).toBe("Keeper's Log Part 1.epub");
  const bytes = fs.readFileSync(await epub.path());
  // An EPUB: a zip whose first entry is the stored "mimetype".
  expect(bytes.subarray(0, 4).toString("binary")).toBe("PK\u0003\u0004");
  expect(bytes.subarray(30, 58).toString("ascii")).toBe("mimetypeapplication/epub+zip");
  expect(bytes.includes(Buffer.from("OEBPS/codex.xhtml"))).toBe(true);
});
