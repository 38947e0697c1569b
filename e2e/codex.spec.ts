import { expect, test } from "./fixtures";
import { CodexPanel } from "./pages/codex";

// Suggest entries runs the offline model, slowed down on the e2e server (scripts/e2e-server.sh): long budgets.
test.describe.configure({ timeout: 180_000 });
const JOB = { timeout: 120_000 };

const TEXTS = [
  "Mara climbed to the lamp room at dusk. The wind told Tomas to stay home, but Tomas rowed to Kellan Point anyway.",
  "At Kellan Point the rocks were black. Mara waved to Tomas from the gallery, and the keeper's dog barked.",
];

test.describe("story codex", () => {
  test("add, refuse a clash without losing the typing, edit, search, see mentions, suggest and review, delete", async ({
    author,
    storiesPage,
    storyPage,
  }) => {
    await storiesPage.createStory("Codex keeper", "A lighthouse and its people.");
    for (const text of TEXTS) await storyPage.addPageWithText(text);
    const codex = new CodexPanel(author.page);
    await expect(codex.root).toBeVisible();

    // Add an entry.
    await codex.add({
      kind: "character",
      name: "Mara",
      aliases: "the Keeper, Mara Quinn",
      description: "Keeps the light.",
    });
    await expect(codex.group("character")).toContainText("Mara");
    await expect(codex.entry("Mara").getByTestId("codex-entry-aliases")).toHaveText("also the Keeper, Mara Quinn");

    // The page cards show the entries they mention.
    await expect(storyPage.card(0).root.getByTestId("page-mentions")).toContainText("Mara");
    await expect(storyPage.card(1).root.getByTestId("page-mentions")).toContainText("Mara");

    // A name another entry uses is refused, naming the field; nothing typed is lost.
    await codex.addButton.click();
    const form = codex.form();
    await form.fill({ kind: "place", name: "the keeper", description: "A typo of mine." });
    await form.save.click();
    await expect(form.nameError).toHaveText("“the keeper” is already an alias of “Mara”.");
    await expect(form.name).toHaveValue("the keeper");
    await expect(form.description).toHaveValue("A typo of mine.");
    await expect(form.kind).toHaveValue("place");
    await form.cancel.click();
    expect(await codex.names()).toEqual(["Mara"]);

    // Edit it.
    const edit = await codex.startEditing("Mara");
    await edit.fill({ description: "Keeper of the Kellan Point light.", activation: "always" });
    await edit.save.click();
    await expect(codex.entry("Mara").getByTestId("codex-entry-description")).toHaveText(
      "Keeper of the Kellan Point light.",
    );

    // Search by alias and description; nothing found says so.
    await codex.search.fill("quinn");
    expect(await codex.names()).toEqual(["Mara"]);
    await codex.search.fill("zzz");
    await expect(codex.noMatch).toBeVisible();
    await codex.search.fill("");

    // Suggest entries: the AI reads the story; its proposals wait for review.
    await codex.suggestButton.click();
    await expect(codex.suggestion("Tomas")).toBeVisible(JOB);
    await expect(codex.suggestion("Kellan Point")).toBeVisible();
    expect(await codex.names()).toEqual(["Mara"]);
    await codex.suggestion("Tomas").getByTestId("codex-suggestion-accept").click();
    await expect(codex.entry("Tomas")).toBeVisible();
    await expect(codex.suggestion("Tomas")).toHaveCount(0);
    // Edit a suggestion, then accept it.
    await codex.suggestion("Kellan Point").getByTestId("codex-suggestion-edit").click();
    const suggestionForm = codex.form();
    await suggestionForm.fill({ kind: "place", description: "A black headland." });
    await suggestionForm.save.click();
    await expect(codex.group("place").getByTestId("codex-entry-name")).toHaveText(["Kellan Point"]);
    await expect(storyPage.card(0).root.getByTestId("page-mentions")).toContainText("Tomas");

    // The codex survives a reload; deleting asks first.
    await storyPage.reload();
    expect((await codex.names()).sort()).toEqual(["Kellan Point", "Mara", "Tomas"]);
    await codex.delete("Mara");
    await storyPage.reload();
    expect((await codex.names()).sort()).toEqual(["Kellan Point", "Tomas"]);
    await expect(storyPage.card(1).root.getByTestId("page-mentions")).not.toContainText("Mara");
  });
});
