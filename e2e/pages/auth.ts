import type { Locator, Page } from "@playwright/test";
import type { TestUser } from "../users";

/** The sign-in and sign-up screens. */
export class AuthPage {
  readonly signInEmail: Locator;
  readonly signInPassword: Locator;
  readonly signInSubmit: Locator;
  readonly signInError: Locator;
  readonly signUpName: Locator;
  readonly signUpEmail: Locator;
  readonly signUpPassword: Locator;
  readonly signUpSubmit: Locator;
  readonly signUpError: Locator;

  constructor(readonly page: Page) {
    this.signInEmail = page.getByTestId("signin-email");
    this.signInPassword = page.getByTestId("signin-password");
    this.signInSubmit = page.getByTestId("signin-submit");
    this.signInError = page.getByTestId("signin-error");
    this.signUpName = page.getByTestId("signup-name");
    this.signUpEmail = page.getByTestId("signup-email");
    this.signUpPassword = page.getByTestId("signup-password");
    this.signUpSubmit = page.getByTestId("signup-submit");
    this.signUpError = page.getByTestId("signup-error");
  }

  async gotoSignIn(): Promise<void> {
    await this.page.goto("/sign-in");
  }

  async gotoSignUp(): Promise<void> {
    await this.page.goto("/sign-up");
  }

  /** Fills and sends the sign-up form on the page as it is (no navigation, no waiting for the outcome). */
  async submitSignUp(user: Pick<TestUser, "name" | "email" | "password">): Promise<void> {
    await this.signUpName.fill(user.name);
    await this.signUpEmail.fill(user.email);
    await this.signUpPassword.fill(user.password);
    await this.signUpSubmit.click();
  }

  /** Fills and sends the sign-in form on the page as it is (no navigation, no waiting for the outcome). */
  async submitSignIn(user: Pick<TestUser, "email" | "password">): Promise<void> {
    await this.signInEmail.fill(user.email);
    await this.signInPassword.fill(user.password);
    await this.signInSubmit.click();
  }

  /** Signs up and waits until the app (not the auth pages) is showing. */
  async signUp(user: TestUser): Promise<void> {
    await this.gotoSignUp();
    await this.submitSignUp(user);
    await this.page.waitForURL((url) => url.pathname.startsWith("/stories"));
  }

  /** Signs in and waits until the app (not the auth pages) is showing. */
  async signIn(user: Pick<TestUser, "email" | "password">): Promise<void> {
    await this.gotoSignIn();
    await this.submitSignIn(user);
    await this.page.waitForURL((url) => !url.pathname.startsWith("/sign-in") && !url.pathname.startsWith("/api/auth"));
  }
}
