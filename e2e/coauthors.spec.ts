import { expect, makeUser, test } from "./fixtures";
import { AuthPage } from "./pages/auth";
import { StoryPage } from "./pages/story";

/**
 * Co-authors: the owner shares a story by email. An address without an account gets the invitation when it signs up;
 * the new editor accepts and edits (without the owner's controls), a reader who accepts gets a read-only page, and
 * an editor made a reader while their page is open is refused by the server when they save.
 */
test.describe("co-authors", () => {
  test("the owner invites an editor and a reader; the editor edits, the reader cannot", async ({
    author,
    otherAuthor,
    storiesPage,
    storyPage,
    browser,
  }) => {
    // Three users sign up or in and each opens the story: several times a single-user flow.
    test.slow();
    await storiesPage.createStory("Shared tale");
    await storyPage.addPageWithText("The owner's first words.");

    // Invite an address that has no account yet as editor, and an existing author as reader.
    const editorUser = makeUser("editor");
    const panel = author.page.getByTestId("members-panel");
    await author.page.getByTestId("members-toggle").click();
    await panel.getByTestId("member-invite-email").fill(editorUser.email);
    await panel.getByTestId("member-invite-role").selectOption("editor");
    await panel.getByTestId("member-invite-submit").click();
    await expect(panel.getByTestId("invitation-row")).toHaveCount(1);
    await panel.getByTestId("member-invite-email").fill(otherAuthor.user.email);
    await panel.getByTestId("member-invite-role").selectOption("reader");
    await panel.getByTestId("member-invite-submit").click();
    await expect(panel.getByTestId("invitation-row")).toHaveCount(2);
    // Inviting oneself is a clear error on the field.
    await panel.getByTestId("member-invite-email").fill(author.user.email);
    await panel.getByTestId("member-invite-submit").click();
    await expect(panel.getByTestId("member-invite-error")).toContainText("your own address");

    // The editor signs up with the invited address and finds the invitation on the story list.
    const context = await browser.newContext();
    const editorPage = await context.newPage();
    await new AuthPage(editorPage).signUp(editorUser);
    const invitation = editorPage.getByTestId("story-invitation");
    await expect(invitation).toContainText("Shared tale");
    await expect(invitation).toContainText("as an editor");
    await invitation.getByTestId("invitation-accept").click();
    await editorPage.waitForURL(/\/stories\/[0-9a-f-]{36}$/);
    const storyUrl = editorPage.url();
    const editorStory = new StoryPage(editorPage);
    // An editor edits, but sharing is the owner's: the members panel lists, it does not invite.
    await expect(editorStory.addPageButton).toBeVisible();
    await expect(editorPage.getByTestId("story-reader-notice")).toHaveCount(0);
    await editorPage.getByTestId("members-toggle").click();
    await expect(editorPage.getByTestId("member-leave")).toBeVisible();
    await expect(editorPage.getByTestId("member-invite-form")).toHaveCount(0);
    await expect(editorPage.getByTestId("member-role")).toHaveCount(0);
    await expect(editorPage.getByTestId("member-transfer")).toHaveCount(0);
    await editorStory.card(0).expectText("The owner's first words.");
    await editorStory.card(0).write("The editor's better words.");
    // Version 1 was the blank page, 2 the owner's text, 3 the editor's.
    await editorStory.card(0).expectVersion(3);
    // The history names who wrote each version.
    const history = await editorStory.card(0).openHistory();
    await expect(history.item(3)).toContainText(editorUser.name);
    await expect(history.item(2)).toContainText(author.user.name);
    await history.close();
    // Shared stories are listed apart from one's own.
    await editorPage.goto("/stories");
    await expect(editorPage.getByTestId("stories-shared").getByTestId("story-row")).toContainText("Shared tale");
    await expect(editorPage.getByTestId("stories-shared").getByTestId("story-role")).toHaveText("Editor");
    // Deleting the story is the owner's too.
    await expect(editorPage.getByTestId("stories-shared").getByTestId("story-delete")).toHaveCount(0);

    // The reader accepts and reads the editor's text on a page without a single control that changes it.
    await otherAuthor.stories.goto();
    await otherAuthor.page.getByTestId("story-invitation").getByTestId("invitation-accept").click();
    await otherAuthor.page.waitForURL(/\/stories\/[0-9a-f-]{36}$/);
    const reader = otherAuthor.page;
    await expect(reader.getByTestId("story-reader-notice")).toContainText("You can read this story");
    const readerCard = otherAuthor.story.card(0);
    await readerCard.expectText("The editor's better words.");
    await expect(readerCard.content).toHaveAttribute("data-readonly", "true");
    await readerCard.content.click();
    await expect(readerCard.editor).toHaveCount(0);
    await expect(reader.getByRole("button", { name: /Story title/ })).toHaveCount(0);
    await expect(reader.getByRole("button", { name: /Description|Add a description/ })).toHaveCount(0);
    for (const testId of [
      "page-add-end",
      "page-add-after",
      "page-move-up",
      "page-move-down",
      "page-delete",
      "page-select",
      "background-panel",
      "summarize-all-button",
      "illustrate-button",
      "translate-button",
      "codex-add",
      "codex-edit",
      "codex-delete",
      "codex-suggest",
      "story-model",
    ]) {
      await expect(reader.getByTestId(testId), testId).toHaveCount(0);
    }
    // The summary reads, it does not edit; the history shows versions without restoring them.
    await readerCard.root.getByTestId("summary-toggle").click();
    await expect(readerCard.root.getByTestId("summary-edit")).toHaveCount(0);
    const readerHistory = await readerCard.openHistory();
    await readerHistory.select(2);
    await expect(readerHistory.preview).toContainText("The owner's first words.");
    await expect(readerHistory.restoreButton).toHaveCount(0);
    await readerHistory.close();
    // Export is reading.
    await expect(reader.getByTestId("story-export-toggle")).toBeVisible();

    // The owner sees both members with their roles.
    await author.page.reload();
    await author.page.getByTestId("members-toggle").click();
    const rows = author.page.getByTestId("member-row");
    await expect(rows).toHaveCount(3);
    await expect(author.page.locator('[data-testid="member-row"][data-role="editor"]')).toContainText(editorUser.name);
    await expect(author.page.locator('[data-testid="member-row"][data-role="reader"]')).toContainText(
      otherAuthor.user.name,
    );
    await storyPage.card(0).expectText("The editor's better words.");

    // The owner makes the editor a reader while the editor's page is still open with its edit controls: the server
    // refuses the save, and the page reloads read-only.
    await editorPage.goto(storyUrl);
    await expect(editorStory.addPageButton).toBeVisible();
    await author.page
      .locator('[data-testid="member-row"][data-role="editor"]')
      .getByTestId("member-role")
      .selectOption("reader");
    await expect(author.page.locator('[data-testid="member-row"][data-role="reader"]')).toHaveCount(2);
    await editorStory.card(0).type("A demoted editor's change.");
    await editorStory.card(0).save();
    await expect(editorStory.card(0).error).toContainText("You can read this story but not edit it.");
    await editorPage.reload();
    await expect(editorPage.getByTestId("story-reader-notice")).toBeVisible();
    await editorStory.card(0).expectText("The editor's better words.");
    await expect(editorStory.addPageButton).toHaveCount(0);
    await context.close();
  });
});
