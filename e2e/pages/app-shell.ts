import { expect, type Locator, type Page } from "@playwright/test";

/** What every signed-in screen shares: the user menu, the navigation, notifications and the confirm dialog. */
export class AppShell {
  readonly userMenu: Locator;
  readonly confirmDialog: Locator;

  constructor(readonly page: Page) {
    this.userMenu = page.getByTestId("user-menu");
    this.confirmDialog = page.getByTestId("confirm-dialog");
  }

  async signOut(): Promise<void> {
    await this.page.getByTestId("sign-out").click();
    await expect(this.page).toHaveURL(/\/sign-in/);
  }

  navLink(name: "settings" | "admin-jobs" | "admin-users" | "admin-usage"): Locator {
    return this.page.getByTestId(`nav-${name}`);
  }

  /** Follows a navigation link and waits for its page. */
  async navigate(name: "settings" | "admin-jobs" | "admin-users" | "admin-usage"): Promise<void> {
    await this.navLink(name).click();
    const path = name === "settings" ? "/settings" : `/admin/${name.slice("admin-".length)}`;
    await this.page.waitForURL(new RegExp(`${path}$`));
  }

  /** A notification whose text contains `text`. */
  toast(text: string): Locator {
    return this.page.getByTestId("toast").filter({ hasText: text });
  }

  async confirm(): Promise<void> {
    await this.page.getByTestId("confirm-accept").click();
  }

  async dismissConfirm(): Promise<void> {
    await this.page.getByTestId("confirm-cancel").click();
  }

  async reload(): Promise<void> {
    await this.page.reload();
  }
}
