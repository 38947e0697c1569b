import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { modelHold } from "./model-hold";

// axe-core's WCAG 2.0/2.1 level A and AA rules (color-contrast among them) on the main screens, in both themes. The
// dark theme is reached the way most people get it: the system setting (prefers-color-scheme), with no choice saved.
const WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

async function expectAccessible(page: Page, what: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG_AA).analyze();
  const found = violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes
        .slice(0, 4)
        .map(
          (node) =>
            `${node.target.join(" ")}${node.failureSummary ? ` [${node.failureSummary.replace(/\s+/g, " ").slice(0, 160)}]` : ""}`,
        )
        .join(" | ")}`,
  );
  // Soft: one run lists what every screen gets wrong.
  expect.soft(found, `accessibility violations on ${what}`).toEqual([]);
}

async function expectTheme(page: Page, dark: boolean): Promise<void> {
  if (dark) await expect(page.locator("html")).toHaveClass(/\bdark\b/);
  else await expect(page.locator("html")).not.toHaveClass(/\bdark\b/);
}

const OPENING =
  "The lighthouse stood on the rock at the edge of the bay, and the keeper climbed its stairs each night.";

for (const theme of ["light", "dark"] as const) {
  test(`the main screens pass the WCAG AA checks in the ${theme} theme`, async ({
    author,
    admin,
    authPage,
    storiesPage,
    storyPage,
    settingsPage,
  }) => {
    // Seven screens, one AI job and axe on each screen (on the admin usage page with the whole run's jobs).
    test.slow();
    const { page } = author;
    await page.emulateMedia({ colorScheme: theme });
    await admin.page.emulateMedia({ colorScheme: theme });

    await storiesPage.createStory("The Keeper", "A lighthouse keeper and the sea.");
    await storyPage.addPageWithText(OPENING);
    await storiesPage.goto();
    await expectTheme(page, theme === "dark");
    await expectAccessible(page, "the stories list");

    // A page open in the editor with the AI controls, and the suggestion the AI leaves when the page changed under it.
    await page.goBack();
    const card = await storyPage.addPageWithText(
      `${OPENING} The keeper rowed out at dawn to look for the missing boat, and the fog followed her all the way.`,
    );
    const other = await storyPage.openInNewTab();
    // A tab that hears the story's stream refuses to save while the AI writes: this one cannot hear it, so the
    // server refuses and the author saves anyway; the AI's text waits as a suggestion (as in e2e/generate.spec.ts).
    await other.page.route("**/api/stories/*/events", (route) => route.abort());
    await other.reload();
    const otherCard = other.cardById(await card.id());
    await otherCard.type("Written in the other tab while the AI was busy.");
    // The AI stays on its first word until the other tab has saved.
    const hold = modelHold();
    await card.open();
    await card.generate({ instruction: `the fog lifts ${hold.marker}` });
    await card.ai.expectRunning();
    await otherCard.save();
    await otherCard.saveAnywayButton.click();
    await otherCard.expectText("Written in the other tab while the AI was busy.");
    hold.release();
    await card.ai.expectSucceeded();
    await card.ai.expectResolution("suggested");
    await expect(card.suggestion).toBeVisible();
    await other.close();
    await expectAccessible(page, "a story with a page in the editor and an AI suggestion");
    // The history, a modal dialog over the page.
    await card.cancel();
    const history = await card.openHistory();
    await expect(history.items.first()).toBeVisible();
    await expectAccessible(page, "a page's history");
    await history.close();

    await settingsPage.goto();
    await expectAccessible(page, "settings");

    await admin.jobs.goto();
    await expect(admin.jobs.rows.first()).toBeVisible();
    await expectTheme(admin.page, theme === "dark");
    await expectAccessible(admin.page, "admin jobs");
    await admin.jobs.openRow(0);
    await expect(admin.job.status).toBeVisible();
    await expectAccessible(admin.page, "an admin job's detail");
    await admin.usage.goto();
    await expect(admin.usage.totals).toBeVisible();
    await expectAccessible(admin.page, "admin usage");
    await admin.users.goto();
    await expectAccessible(admin.page, "admin users");

    await settingsPage.signOut();
    await expectAccessible(page, "sign in");
    await authPage.gotoSignUp();
    await expectAccessible(page, "sign up");
  });
}

test("the theme follows the system until a choice is saved, and is set before the page paints", async ({
  author,
  storiesPage,
  settingsPage,
}) => {
  const { page } = author;
  // Records whether <html> is dark at the moment <body> is created, before anything can paint.
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (!document.body) return;
      document.documentElement.setAttribute(
        "data-dark-at-first-paint",
        String(document.documentElement.classList.contains("dark")),
      );
      observer.disconnect();
    }).observe(document, { childList: true, subtree: true });
  });
  await page.emulateMedia({ colorScheme: "dark" });
  await storiesPage.goto();
  await expect(page.locator("html")).toHaveAttribute("data-dark-at-first-paint", "true");
  await expectTheme(page, true);

  // The system setting changes while the page is open: the theme follows.
  await page.emulateMedia({ colorScheme: "light" });
  await expectTheme(page, false);
  await page.emulateMedia({ colorScheme: "dark" });
  await expectTheme(page, true);

  // The top bar's toggle: System → Light, kept over a reload (and set before paint) although the system is dark.
  const toggle = page.getByTestId("theme-toggle");
  await expect(toggle).toHaveAttribute("data-theme-choice", "system");
  await toggle.click();
  await expect(toggle).toHaveAttribute("data-theme-choice", "light");
  await expectTheme(page, false);
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-dark-at-first-paint", "false");
  await expectTheme(page, false);

  // Settings shows the same choice and changes it; the toggle follows.
  await settingsPage.goto();
  await expect(page.getByTestId("theme-light")).toBeChecked();
  await page.getByText("Dark", { exact: true }).click();
  await expect(page.getByTestId("theme-dark")).toBeChecked();
  await expectTheme(page, true);
  await expect(toggle).toHaveAttribute("data-theme-choice", "dark");
  await page.emulateMedia({ colorScheme: "light" });
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-dark-at-first-paint", "true");
  await expect(page.getByTestId("theme-dark")).toBeChecked();

  // Back to System: the light system setting wins again.
  await page.getByText("System", { exact: true }).click();
  await expectTheme(page, false);
  await page.reload();
  await expectTheme(page, false);
  await expect(toggle).toHaveAttribute("data-theme-choice", "system");
});

test("the theme toggle is on sign-in and sign-up, and its icon shows the stored theme from the first paint", async ({
  page,
  authPage,
}) => {
  await authPage.gotoSignIn();
  const toggle = page.getByTestId("theme-toggle");
  await expect(toggle).toHaveAttribute("data-theme-choice", "system");
  await expect(page.getByTestId("theme-toggle-icon-system")).toBeVisible();
  await toggle.click();
  await toggle.click();
  await expect(toggle).toHaveAttribute("data-theme-choice", "dark");
  await expectTheme(page, true);
  await expect(page.getByTestId("theme-toggle-icon-dark")).toBeVisible();

  // Without the app's scripts React never hydrates: what shows is what the first paint shows. The icon must already
  // be the stored choice's (the server cannot know it; the inline theme script and CSS do).
  await page.route("**/_next/static/**/*.js", (route) => route.abort());
  await authPage.gotoSignUp();
  await expectTheme(page, true);
  await expect(page.getByTestId("theme-toggle-icon-dark")).toBeVisible();
  await expect(page.getByTestId("theme-toggle-icon-system")).toBeHidden();
  await expect(page.getByTestId("theme-toggle-icon-light")).toBeHidden();
});
