import crypto from "node:crypto";
import { test as base, expect, type Browser, type Page } from "@playwright/test";

export interface TestUser {
  name: string;
  email: string;
  password: string;
}

export function makeUser(label = "author"): TestUser {
  const id = crypto.randomBytes(5).toString("hex");
  return { name: `${label} ${id}`, email: `${label}-${id}@e2e.test`, password: `pw-${id}-secret` };
}

/** Signs up through the UI and waits until the app (not the auth pages) is showing. */
export async function signUp(page: Page, user: TestUser): Promise<void> {
  await page.goto("/sign-up");
  await page.getByTestId("signup-name").fill(user.name);
  await page.getByTestId("signup-email").fill(user.email);
  await page.getByTestId("signup-password").fill(user.password);
  await page.getByTestId("signup-submit").click();
  await page.waitForURL((url) => url.pathname.startsWith("/stories"));
}

export async function signIn(page: Page, user: Pick<TestUser, "email" | "password">): Promise<void> {
  await page.goto("/sign-in");
  await page.getByTestId("signin-email").fill(user.email);
  await page.getByTestId("signin-password").fill(user.password);
  await page.getByTestId("signin-submit").click();
  await page.waitForURL((url) => !url.pathname.startsWith("/sign-in") && !url.pathname.startsWith("/api/auth"));
}

/** A new browser context signed in as a brand-new user: fully isolated from other tests. */
export async function newSignedInPage(browser: Browser, label = "author"): Promise<{ page: Page; user: TestUser }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const user = makeUser(label);
  await signUp(page, user);
  return { page, user };
}

/** Creates a story from the stories list and opens it; returns its id. */
export async function createStory(page: Page, title: string, description = ""): Promise<string> {
  await page.goto("/stories");
  await page.getByTestId("story-create-title").fill(title);
  if (description) await page.getByTestId("story-create-description").fill(description);
  await page.getByTestId("story-create-submit").click();
  const row = page.getByTestId("story-row").filter({ hasText: title });
  await expect(row).toBeVisible();
  await row.getByTestId("story-link").click();
  await page.waitForURL(/\/stories\/[0-9a-f-]{36}$/);
  return page.url().split("/").pop()!;
}

/** The admin scripts/e2e-server.sh creates for this run (see playwright.config.ts). */
export function e2eAdmin(): Pick<TestUser, "email" | "password"> {
  const email = process.env.E2E_ADMIN_EMAIL;
  const password = process.env.E2E_ADMIN_PASSWORD;
  if (!email || !password) throw new Error("E2E_ADMIN_EMAIL / E2E_ADMIN_PASSWORD are unset: run the specs through playwright.config.ts");
  return { email, password };
}

type Fixtures = {
  /** The default page, signed in as a fresh author. */
  author: { page: Page; user: TestUser };
};

export const test = base.extend<Fixtures>({
  author: async ({ page }, use) => {
    const user = makeUser("author");
    await signUp(page, user);
    await use({ page, user });
  },
});

export { expect };
