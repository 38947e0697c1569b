import { expect, test } from "./fixtures";
import { CodexPanel } from "./pages/codex";
import { IllustrationPanel } from "./pages/illustration";

// The offline illustrator draws in well under a second, but the job goes through the engine: generous budgets.
test.describe.configure({ timeout: 120_000 });
const JOB = { timeout: 60_000 };

const MARA = "tall woman, long red coat with brass buttons";

test.describe("page illustrations (offline illustrator)", () => {
  test("illustrate, see the scene and prompt with the codex appearance, regenerate, choose; blank pages cannot", async ({
    author,
    storiesPage,
    storyPage,
  }) => {
    await storiesPage.createStory("Lamp room", "A lighthouse story.");
    await storyPage.addPageWithText("Mara climbed to the lamp room at night while the storm broke over the sea.");
    await storyPage.addPage();
    const codex = new CodexPanel(author.page);
    await codex.add({ kind: "character", name: "Mara", appearance: MARA });
    await expect(codex.entry("Mara").getByTestId("codex-entry-appearance")).toContainText(MARA);

    const first = new IllustrationPanel(storyPage.card(0).root);
    await first.illustrate.click();
    await expect(first.status).toHaveAttribute("data-phase", "done", JOB);
    await expect(first.status).toHaveText("Done.");
    await expect(first.attempts).toHaveCount(1);
    // The scene comes from the page; the prompt carries Mara's appearance word for word.
    await expect(first.scene).toHaveValue(/Mara climbed to the lamp room/);
    await expect(first.prompt).toHaveValue(new RegExp(`- Mara: ${MARA}`));

    // The image is served from the bytes' own type, privately cached.
    const src = await first.attempts.first().locator("img").getAttribute("src");
    const response = await author.page.request.get(src!);
    expect(response.status()).toBe(200);
    expect(response.headers()["content-type"]).toBe("image/png");
    expect(response.headers()["cache-control"]).toContain("immutable");

    // Regenerate with an edited scene: a second attempt is kept beside the first.
    await first.scene.fill("Mara alone at the top of the lighthouse, lamp lit, at night.");
    await first.regenerate.click();
    await expect(first.attempts).toHaveCount(2, JOB);
    await expect(first.status).toHaveAttribute("data-phase", "done");

    // Choose one: it illustrates the page, labelled as the offline illustration, and stays after a reload.
    await first.choose.first().click();
    await expect(first.image).toBeVisible();
    await expect(first.offlineLabel).toHaveText(/Offline illustration/);
    await author.page.reload();
    await expect(new IllustrationPanel(storyPage.card(0).root).image).toBeVisible();

    // A blank page has nothing to illustrate.
    await expect(new IllustrationPanel(storyPage.card(1).root).illustrate).toBeDisabled();
  });
});
