import { expect, type Locator } from "@playwright/test";

/** A take may take a while on the e2e server's slow offline model. */
const JOB = { timeout: 60_000 };

/** The Takes section of an open page: count, Generate takes, the takes side by side, choose / another / cancel. */
export class TakesPanel {
  readonly root: Locator;
  readonly count: Locator;
  readonly button: Locator;
  readonly cards: Locator;
  readonly state: Locator;
  readonly more: Locator;
  readonly cancel: Locator;
  readonly outcome: Locator;
  readonly error: Locator;

  constructor(card: Locator) {
    this.root = card.getByTestId("takes-panel");
    this.count = this.root.getByTestId("takes-count");
    this.button = this.root.getByTestId("takes-button");
    this.cards = this.root.getByTestId("take-card");
    this.state = this.root.getByTestId("takes-state");
    this.more = this.root.getByTestId("takes-more");
    this.cancel = this.root.getByTestId("takes-cancel");
    this.outcome = this.root.getByTestId("takes-outcome");
    this.error = this.root.getByTestId("takes-error");
  }

  take(number: number): Locator {
    return this.root.locator(`[data-testid="take-card"][data-take-number="${number}"]`);
  }

  async generate(count: number): Promise<void> {
    await this.count.selectOption(String(count));
    await this.button.click();
  }

  /** Waits until every take has finished (each shows its tokens). */
  async expectAllDone(count: number): Promise<void> {
    await expect(this.cards).toHaveCount(count);
    await expect(this.root.locator('[data-testid="take-card"][data-status="succeeded"]')).toHaveCount(count, JOB);
  }

  async textOf(number: number): Promise<string> {
    return (await this.take(number).getByTestId("take-text").textContent()) ?? "";
  }

  async choose(number: number): Promise<void> {
    await this.take(number).getByTestId("take-choose").click();
  }
}
