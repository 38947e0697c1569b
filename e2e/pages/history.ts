import type { Locator, Page } from "@playwright/test";

/** The history panel of one page: its versions, a preview, Restore. */
export class HistoryPanel {
  readonly root: Locator;
  readonly items: Locator;
  readonly aiItems: Locator;
  readonly preview: Locator;
  readonly restoreButton: Locator;
  /** "Compare with": another version, or nothing. */
  readonly compare: Locator;
  /** The word diff between the compared version and the selected one. */
  readonly diff: Locator;
  readonly diffSummary: Locator;

  constructor(page: Page) {
    this.root = page.getByTestId("history-panel");
    this.items = this.root.getByTestId("history-item");
    this.aiItems = this.root.locator('[data-testid="history-source"][data-source="ai"]');
    this.preview = this.root.getByTestId("history-preview");
    this.restoreButton = this.root.getByTestId("history-restore");
    this.compare = this.root.getByTestId("history-compare");
    this.diff = this.root.getByTestId("history-diff");
    this.diffSummary = this.root.getByTestId("history-diff-summary");
  }

  item(version: number): Locator {
    return this.root.locator(`[data-testid="history-item"][data-version="${version}"]`);
  }

  /** Shows one version in the preview. */
  async select(version: number): Promise<void> {
    await this.item(version).click();
  }

  async restore(): Promise<void> {
    await this.restoreButton.click();
  }

  async close(): Promise<void> {
    await this.root.getByTestId("history-close").click();
  }
}
