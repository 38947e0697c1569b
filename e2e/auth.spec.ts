import { createStory, expect, makeUser, signIn, signUp, test } from "./fixtures";

test.describe("authentication", () => {
  test("an anonymous visitor is sent to sign in, with the page they wanted remembered", async ({ page }) => {
    await page.goto("/stories");
    await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fstories$/);
    await expect(page.getByTestId("signin-email")).toBeVisible();
    await expect(page.getByLabel("Email")).toBeVisible();
    await expect(page.getByLabel("Password")).toBeVisible();
    // Sign-up is on by default: the sign-in page offers it.
    await expect(page.getByRole("link", { name: "Create an account" })).toHaveAttribute("href", "/sign-up");
  });

  test("sign up, sign out and sign in again", async ({ page }) => {
    const user = makeUser("auth");
    await signUp(page, user);
    await expect(page).toHaveURL(/\/stories$/);
    const menu = page.getByTestId("user-menu");
    await expect(menu).toContainText(user.name);
    await expect(menu).toContainText("author");

    await page.getByTestId("sign-out").click();
    await expect(page).toHaveURL(/\/sign-in/);
    // The session is really gone: the app sends us back to sign in.
    await page.goto("/stories");
    await expect(page).toHaveURL(/\/sign-in\?callbackUrl=/);

    await signIn(page, user);
    await expect(page).toHaveURL(/\/stories$/);
    await expect(page.getByTestId("user-menu")).toContainText(user.name);
  });

  test("a wrong password is refused with a message and the email stays filled in", async ({ page }) => {
    const user = makeUser("wrongpw");
    await signUp(page, user);
    await page.getByTestId("sign-out").click();
    await expect(page).toHaveURL(/\/sign-in/);

    await page.getByTestId("signin-email").fill(user.email);
    await page.getByTestId("signin-password").fill(`${user.password}-nope`);
    await page.getByTestId("signin-submit").click();
    await expect(page.getByTestId("signin-error")).toHaveText("Email or password is incorrect.");
    await expect(page).toHaveURL(/\/sign-in/);
    await expect(page.getByTestId("signin-email")).toHaveValue(user.email);
    await expect(page.getByTestId("signin-submit")).toBeEnabled();

    // An unknown email gets the same answer (no hint about which accounts exist).
    await page.getByTestId("signin-email").fill(`nobody-${user.email}`);
    await page.getByTestId("signin-password").fill(user.password);
    await page.getByTestId("signin-submit").click();
    await expect(page.getByTestId("signin-error")).toHaveText("Email or password is incorrect.");
  });

  test("after sign-in the visitor lands on the page they asked for", async ({ page }) => {
    const user = makeUser("callback");
    await signUp(page, user);
    const storyId = await createStory(page, "Callback story");
    await page.getByTestId("sign-out").click();
    await expect(page).toHaveURL(/\/sign-in/);

    await page.goto(`/stories/${storyId}`);
    await expect(page).toHaveURL(new RegExp(`/sign-in\\?callbackUrl=%2Fstories%2F${storyId}$`));
    await page.getByTestId("signin-email").fill(user.email);
    await page.getByTestId("signin-password").fill(user.password);
    await page.getByTestId("signin-submit").click();
    await expect(page).toHaveURL(new RegExp(`/stories/${storyId}$`));
    await expect(page.getByTestId("story-title")).toHaveText("Callback story");
  });

  test("sign-up shows what is wrong with each field", async ({ page }) => {
    await page.goto("/sign-up");
    await expect(page.getByLabel("Name")).toBeVisible();
    await page.getByTestId("signup-name").fill("Short Password");
    await page.getByTestId("signup-email").fill("not-an-email");
    await page.getByTestId("signup-password").fill("short");
    await page.getByTestId("signup-submit").click();

    await expect(page.getByTestId("signup-error")).toBeVisible();
    // Each field error is tied to its field for screen readers.
    await expect(page.getByLabel("Email")).toHaveAccessibleDescription(/valid email/i);
    await expect(page.getByLabel("Password")).toHaveAccessibleDescription(/needs at least 8 characters/i);
    await expect(page).toHaveURL(/\/sign-up$/);
    // What was typed is still there.
    await expect(page.getByTestId("signup-name")).toHaveValue("Short Password");
  });

  test("an email that is already registered is refused", async ({ page, browser }) => {
    const user = makeUser("taken");
    await signUp(page, user);

    const context = await browser.newContext();
    const other = await context.newPage();
    await other.goto("/sign-up");
    await other.getByTestId("signup-name").fill("Someone Else");
    await other.getByTestId("signup-email").fill(user.email.toUpperCase());
    await other.getByTestId("signup-password").fill("another-password");
    await other.getByTestId("signup-submit").click();
    await expect(other.getByTestId("signup-error")).toContainText("already exists");
    await expect(other).toHaveURL(/\/sign-up$/);
    await context.close();
  });
});
