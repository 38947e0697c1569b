import { test as base, expect, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { AdminJobDetailPage, AdminJobsPage, AdminUsagePage, AdminUsersPage } from "./pages/admin";
import { AuthPage } from "./pages/auth";
import { SettingsPage } from "./pages/settings";
import { StoriesPage } from "./pages/stories";
import { StoryPage } from "./pages/story";
import { e2eAdmin, makeUser, type TestUser } from "./users";

export { e2eAdmin, makeUser, type TestUser };

/** The screens of one signed-in browser, as page objects (e2e/pages) sharing one tab. */
export interface Screens {
  page: Page;
  auth: AuthPage;
  stories: StoriesPage;
  story: StoryPage;
  settings: SettingsPage;
}

interface AdminScreens extends Screens {
  jobs: AdminJobsPage;
  job: AdminJobDetailPage;
  users: AdminUsersPage;
  usage: AdminUsagePage;
}

function screensOf(page: Page): Screens {
  return {
    page,
    auth: new AuthPage(page),
    stories: new StoriesPage(page),
    story: new StoryPage(page),
    settings: new SettingsPage(page),
  };
}

/**
 * Collects what the browser refused under the Content-Security-Policy in this context: Chromium's console errors and
 * `securitypolicyviolation` events. Every test ends by expecting none, so a page the policy breaks fails its test.
 */
async function watchContentSecurityPolicy(context: BrowserContext): Promise<string[]> {
  const violations: string[] = [];
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) =>
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`),
    );
  });
  context.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy|CSP violation/.test(message.text())) {
      violations.push(`${message.location().url}: ${message.text()}`);
    }
  });
  return violations;
}

const watched = new WeakMap<BrowserContext, string[]>();

/** A new browser context (its own cookies): fully isolated from the test's own page. */
async function newTab(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  watched.set(context, await watchContentSecurityPolicy(context));
  return context.newPage();
}

async function closeTab(page: Page): Promise<void> {
  const context = page.context();
  const violations = watched.get(context) ?? [];
  await context.close();
  expect(violations, "Content-Security-Policy violations").toEqual([]);
}

/**
 * Page objects for the screens (e2e/pages), injected so that specs read as what a person does. They act in the
 * test's own page; a test that lists `author` runs in it signed in as a fresh author.
 */
type Fixtures = {
  authPage: AuthPage;
  storiesPage: StoriesPage;
  storyPage: StoryPage;
  settingsPage: SettingsPage;
  /** The default page, signed in as a fresh author (the page objects above act in it). */
  author: { page: Page; user: TestUser };
  /** Another fresh author, in a browser context of their own. */
  otherAuthor: Screens & { user: TestUser };
  /** The run's admin (scripts/e2e-server.sh creates it), signed in in a browser context of their own. */
  admin: AdminScreens;
};

export const test = base.extend<Fixtures>({
  context: async ({ context }, use) => {
    const violations = await watchContentSecurityPolicy(context);
    await use(context);
    expect(violations, "Content-Security-Policy violations").toEqual([]);
  },
  authPage: async ({ page }, use) => use(new AuthPage(page)),
  storiesPage: async ({ page }, use) => use(new StoriesPage(page)),
  storyPage: async ({ page }, use) => use(new StoryPage(page)),
  settingsPage: async ({ page }, use) => use(new SettingsPage(page)),

  author: async ({ page, authPage }, use) => {
    const user = makeUser("author");
    await authPage.signUp(user);
    await use({ page, user });
  },

  otherAuthor: async ({ browser }, use) => {
    const page = await newTab(browser);
    const screens = screensOf(page);
    const user = makeUser("other");
    await screens.auth.signUp(user);
    await use({ ...screens, user });
    await closeTab(page);
  },

  admin: async ({ browser }, use) => {
    const page = await newTab(browser);
    const screens = screensOf(page);
    await screens.auth.signIn(e2eAdmin());
    await use({
      ...screens,
      jobs: new AdminJobsPage(page),
      job: new AdminJobDetailPage(page),
      users: new AdminUsersPage(page),
      usage: new AdminUsagePage(page),
    });
    await closeTab(page);
  },
});

export { expect };
