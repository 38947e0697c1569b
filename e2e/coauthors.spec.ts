import { expect, makeUser, test } from "./fixtures";
import { AuthPage } from "./pages/auth";
import { StoryPage } from "./pages/story";

/**
 * Co-authors: the owner shares a story by email. An address without an account gets the invitation when it signs up;
 * the new editor accepts and edits, and a reader who accepts can read but is refused when they try to save.
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
    const editorStory = new StoryPage(editorPage);
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
    await context.close();

    // The reader accepts, reads the editor's text, and is refused when trying to save.
    await otherAuthor.stories.goto();
    await otherAuthor.page.getByTestId("story-invitation").getByTestId("invitation-accept").click();
    await otherAuthor.page.waitForURL(/\/stories\/[0-9a-f-]{36}$/);
    await expect(otherAuthor.page.getByTestId("story-reader-notice")).toBeVisible();
    const readerCard = otherAuthor.story.card(0);
    await readerCard.expectText("The editor's better words.");
    await readerCard.type("A reader's change.");
    await readerCard.save();
    await expect(readerCard.error).toContainText("You can read this story but not edit it.");
    await otherAuthor.page.reload();
    await otherAuthor.story.card(0).expectText("The editor's better words.");

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
  });
});
