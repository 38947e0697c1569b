import { expect, makeUser, test } from "./fixtures";
import { AuthPage } from "./pages/auth";

test.describe("authentication", () => {
  test("an anonymous visitor is sent to sign in, with the page they wanted remembered", async ({ page, authPage }) => {
    await page.goto("/stories");
    await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fstories$/);
    await expect(authPage.signInEmail).toBeVisible();
    await expect(page.getByLabel("Email")).toBeVisible();
    await expect(page.getByLabel("Password")).toBeVisible();
    // Sign-up is on by default: the sign-in page offers it.
    await expect(page.getByRole("link", { name: "Create an account" })).toHaveAttribute("href", "/sign-up");
  });

  test("sign up, sign out and sign in again", async ({ page, authPage, storiesPage }) => {
    const user = makeUser("auth");
    await authPage.signUp(user);
    await expect(page).toHaveURL(/\/stories$/);
    await expect(storiesPage.userMenu).toContainText(user.name);
    await expect(storiesPage.userMenu).toContainText("author");

    await storiesPage.signOut();
    // The session is really gone: the app sends us back to sign in.
    await page.goto("/stories");
    await expect(page).toHaveURL(/\/sign-in\?callbackUrl=/);

    await authPage.signIn(user);
    await expect(page).toHaveURL(/\/stories$/);
    await expect(storiesPage.userMenu).toContainText(user.name);
  });

  test("a session cookie saved before sign-out no longer works after it", async ({ page, authPage, storiesPage }) => {
    const user = makeUser("revoked");
    await authPage.signUp(user);
    const saved = await page.context().cookies();
    await storiesPage.signOut();

    // Someone replays the saved cookie (a copied cookie, a shared computer): it names an ended session.
    const replay = await page
      .context()
      .browser()!
      .newContext({ baseURL: new URL(page.url()).origin });
    await replay.addCookies(saved);
    const tab = await replay.newPage();
    await tab.goto("/stories");
    await expect(tab).toHaveURL(/\/sign-in\?callbackUrl=/);
    await replay.close();
  });

  test("sign out everywhere ends the account's sessions in other browsers too", async ({
    page,
    authPage,
    settingsPage,
    browser,
  }) => {
    const user = makeUser("everywhere");
    await authPage.signUp(user);
    const elsewhere = await browser.newContext({ baseURL: new URL(page.url()).origin });
    const other = await elsewhere.newPage();
    await new AuthPage(other).signIn(user);
    await expect(other).toHaveURL(/\/stories$/);

    await settingsPage.goto();
    await page.getByTestId("sign-out-everywhere").click();
    await expect(page).toHaveURL(/\/sign-in\?signedOut=everywhere/);
    await expect(page.getByTestId("signed-out-everywhere")).toBeVisible();

    await other.goto("/stories");
    await expect(other).toHaveURL(/\/sign-in\?callbackUrl=/);
    await elsewhere.close();
  });

  test("after five wrong passwords even the right one must wait, with a message saying so", async ({
    page,
    authPage,
    storiesPage,
  }) => {
    const user = makeUser("guessed");
    await authPage.signUp(user);
    await storiesPage.signOut();
    for (let i = 0; i < 5; i++) {
      await authPage.submitSignIn({ email: user.email, password: `wrong-guess-${i}` });
      await expect(authPage.signInError).toContainText("incorrect");
    }
    await authPage.submitSignIn(user);
    await expect(authPage.signInError).toContainText(/Too many attempts\. Please wait (a minute|\d+ minutes)/);
    await expect(page).toHaveURL(/\/sign-in/);
  });

  test("a wrong password is refused with a message and the email stays filled in", async ({
    page,
    authPage,
    storiesPage,
  }) => {
    const user = makeUser("wrongpw");
    await authPage.signUp(user);
    await storiesPage.signOut();

    await authPage.submitSignIn({ email: user.email, password: `${user.password}-nope` });
    await expect(authPage.signInError).toHaveText("Email or password is incorrect.");
    await expect(page).toHaveURL(/\/sign-in/);
    await expect(authPage.signInEmail).toHaveValue(user.email);
    await expect(authPage.signInSubmit).toBeEnabled();

    // An unknown email gets the same answer (no hint about which accounts exist).
    await authPage.submitSignIn({ email: `nobody-${user.email}`, password: user.password });
    await expect(authPage.signInError).toHaveText("Email or password is incorrect.");
  });

  test("after sign-in the visitor lands on the page they asked for", async ({
    page,
    authPage,
    storiesPage,
    storyPage,
  }) => {
    const user = makeUser("callback");
    await authPage.signUp(user);
    const storyId = await storiesPage.createStory("Callback story");
    await storyPage.signOut();

    await storyPage.goto(storyId);
    await expect(page).toHaveURL(new RegExp(`/sign-in\\?callbackUrl=%2Fstories%2F${storyId}$`));
    await authPage.submitSignIn(user);
    await expect(page).toHaveURL(new RegExp(`/stories/${storyId}$`));
    await expect(storyPage.title).toHaveText("Callback story");
  });

  test("sign-up shows what is wrong with each field", async ({ page, authPage }) => {
    await authPage.gotoSignUp();
    await expect(page.getByLabel("Name")).toBeVisible();
    await authPage.submitSignUp({ name: "Short Password", email: "not-an-email", password: "short" });

    await expect(authPage.signUpError).toBeVisible();
    // Each field error is tied to its field for screen readers.
    await expect(page.getByLabel("Email")).toHaveAccessibleDescription(/valid email/i);
    await expect(page.getByLabel("Password")).toHaveAccessibleDescription(/needs at least 8 characters/i);
    await expect(page).toHaveURL(/\/sign-up$/);
    // What was typed is still there.
    await expect(authPage.signUpName).toHaveValue("Short Password");
  });

  test("an email that is already registered is refused", async ({ authPage, browser }) => {
    const user = makeUser("taken");
    await authPage.signUp(user);

    const context = await browser.newContext();
    const other = new AuthPage(await context.newPage());
    await other.gotoSignUp();
    await other.submitSignUp({ name: "Someone Else", email: user.email.toUpperCase(), password: "another-password" });
    await expect(other.signUpError).toContainText("already exists");
    await expect(other.page).toHaveURL(/\/sign-up$/);
    await context.close();
  });
});
