import { expect, test } from "./fixtures";
import type { Page } from "@playwright/test";

// No screen may scroll sideways from a phone to a wide desktop, and the top bar's controls stay on screen.
const WIDTHS = [390, 1440] as const;

async function expectNoSidewaysScroll(page: Page, what: string): Promise<void> {
  const { scrollWidth, innerWidth, culprits } = await page.evaluate(() => {
    // The outermost elements that stick out of the window, outside any box that scrolls them: what to fix. (An
    // absolutely positioned element escapes a scrolling box that is not its containing block: listed as well.)
    const scrolls = (el: Element) => ["auto", "scroll", "hidden"].includes(getComputedStyle(el).overflowX);
    const culprits: string[] = [];
    for (const el of document.body.querySelectorAll("*")) {
      if (el.getBoundingClientRect().right <= window.innerWidth + 0.5) continue;
      let contained = false;
      for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
        const escapes = getComputedStyle(el).position === "absolute" && getComputedStyle(up).position === "static";
        if ((scrolls(up) && !escapes) || up.getBoundingClientRect().right > window.innerWidth + 0.5) contained = true;
      }
      if (!contained) culprits.push(`${el.tagName.toLowerCase()}.${String(el.className).slice(0, 80)}`);
    }
    return {
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      culprits: culprits.slice(0, 5),
    };
  });
  expect(
    scrollWidth,
    `${what} is ${scrollWidth - innerWidth}px wider than the window: ${culprits.join(" | ")}`,
  ).toBeLessThanOrEqual(innerWidth);
}

async function expectOnScreen(page: Page, testId: string): Promise<void> {
  const box = await page.getByTestId(testId).boundingBox();
  const width = page.viewportSize()!.width;
  expect(box, `${testId} is rendered`).not.toBeNull();
  expect(box!.x, `${testId} starts on screen`).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width, `${testId} ends on screen`).toBeLessThanOrEqual(width);
}

for (const width of WIDTHS) {
  test(`at ${width}px wide no screen scrolls sideways and the top bar fits`, async ({
    admin,
    storiesPage,
    storyPage,
    settingsPage,
    author,
  }) => {
    const { page } = author;
    await page.setViewportSize({ width, height: 900 });
    await storiesPage.createStory("A story with a rather long title that has to wrap somewhere on a phone");
    await storyPage.addPageWithText("A page of text. ".repeat(40));
    await expectNoSidewaysScroll(page, "the story page");
    await expectOnScreen(page, "sign-out");

    await storiesPage.goto();
    await expectNoSidewaysScroll(page, "the stories list");
    await settingsPage.goto();
    await expectNoSidewaysScroll(page, "settings");
    await expectOnScreen(page, "sign-out");

    // The admin's bar has three more links.
    await admin.page.setViewportSize({ width, height: 900 });
    await admin.jobs.goto();
    await expectNoSidewaysScroll(admin.page, "admin jobs");
    await expectOnScreen(admin.page, "sign-out");
    await expectOnScreen(admin.page, "nav-admin-users");
    await admin.users.goto();
    await expectNoSidewaysScroll(admin.page, "admin users");
  });
}
