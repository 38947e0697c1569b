import type { Locator, Page } from "@playwright/test";
import { AppShell } from "./app-shell";

/** Settings: the author's personal API tokens. */
export class SettingsPage extends AppShell {
  readonly tokenEmpty: Locator;
  readonly tokenName: Locator;
  readonly tokenSecret: Locator;
  readonly tokenRows: Locator;
  /** The user's own content-rating maximum. */
  readonly myRating: Locator;
  readonly myRatingSave: Locator;
  readonly myRatingSaved: Locator;

  constructor(page: Page) {
    super(page);
    this.tokenEmpty = page.getByTestId("token-empty");
    this.tokenName = page.getByTestId("token-name");
    this.tokenSecret = page.getByTestId("token-secret");
    this.tokenRows = page.getByTestId("token-row");
    this.myRating = page.getByTestId("my-rating-select");
    this.myRatingSave = page.getByTestId("my-rating-save");
    this.myRatingSaved = page.getByTestId("my-rating-saved");
  }

  async goto(): Promise<void> {
    await this.navigate("settings");
  }

  tokenRow(name: string): Locator {
    return this.tokenRows.filter({ hasText: name });
  }

  /** Creates a token and returns its secret, as shown once. */
  async createToken(name: string): Promise<string> {
    await this.tokenName.fill(name);
    await this.page.getByTestId("token-create").click();
    return (await this.tokenSecret.textContent())!.trim();
  }

  /** Asks to revoke a token; the confirm dialog is left open. */
  async askToRevoke(name: string): Promise<void> {
    await this.tokenRow(name).getByTestId("token-revoke").click();
  }
}
