import { test as base, expect, type Browser, type Page } from "@playwright/test";
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

/** A new browser context (its own cookies): fully isolated from the test's own page. */
async function newTab(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
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
    await page.context().close();
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
    await page.context().close();
  },
});

export { expect };
