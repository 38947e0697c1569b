import { expect, type Locator, type Page } from "@playwright/test";

/** A page card's summary area: collapsed by default; its text, badges, Edit (pins) and Clear pin. */
export class SummaryPanel {
  readonly toggle: Locator;
  readonly text: Locator;
  readonly empty: Locator;
  readonly pinnedBadge: Locator;
  readonly staleBadge: Locator;
  readonly updatingBadge: Locator;
  readonly editButton: Locator;
  readonly input: Locator;
  readonly saveButton: Locator;
  readonly cancelButton: Locator;
  readonly clearPinButton: Locator;
  readonly error: Locator;

  constructor(card: Locator) {
    const root = card.getByTestId("page-summary");
    this.toggle = root.getByTestId("summary-toggle");
    this.text = root.getByTestId("summary-text");
    this.empty = root.getByTestId("summary-empty");
    this.pinnedBadge = root.getByTestId("summary-badge-pinned");
    this.staleBadge = root.getByTestId("summary-badge-stale");
    this.updatingBadge = root.getByTestId("summary-badge-updating");
    this.editButton = root.getByTestId("summary-edit");
    this.input = root.getByTestId("summary-input");
    this.saveButton = root.getByTestId("summary-save");
    this.cancelButton = root.getByTestId("summary-cancel");
    this.clearPinButton = root.getByTestId("summary-unpin");
    this.error = root.getByTestId("summary-error");
  }

  async open(): Promise<void> {
    if ((await this.toggle.getAttribute("aria-expanded")) !== "true") await this.toggle.click();
    await expect(this.toggle).toHaveAttribute("aria-expanded", "true");
  }

  /** Writes the author's own summary and saves it (which pins it). */
  async write(text: string): Promise<void> {
    await this.editButton.click();
    await this.input.fill(text);
    await this.saveButton.click();
  }

  async clearPin(): Promise<void> {
    await this.clearPinButton.click();
  }
}

/** "Summarize all" in the story's toolbar, with its progress. */
export class SummarizeAllBar {
  readonly button: Locator;
  readonly progress: Locator;
  readonly progressText: Locator;
  readonly failures: Locator;
  readonly error: Locator;
  /** Which pages' summaries wait for an AI budget, said at the story level. */
  readonly budgetWaits: Locator;

  constructor(page: Page) {
    this.button = page.getByTestId("summarize-all-button");
    this.budgetWaits = page.getByTestId("summary-budget-waits");
    this.progress = page.getByTestId("summarize-all-progress");
    this.progressText = page.getByTestId("summarize-all-progress-text");
    this.failures = page.getByTestId("summarize-all-failures");
    this.error = page.getByTestId("summarize-all-error");
  }

  async start(): Promise<void> {
    await this.button.click();
  }
}
