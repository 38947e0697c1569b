import type { Locator, Page } from "@playwright/test";

/** The background revision panel of a story: the selection, the instruction, the progress and the review. */
export class BackgroundPanel {
  readonly root: Locator;
  readonly selectAll: Locator;
  readonly selectedCount: Locator;
  readonly instruction: Locator;
  readonly proofread: Locator;
  readonly startButton: Locator;
  readonly error: Locator;
  readonly progress: Locator;
  readonly progressText: Locator;
  readonly cancelButton: Locator;
  readonly applyAllButton: Locator;
  readonly report: Locator;
  /** Revise, then proofread: the "Steps per page" disclosure, one line per page, each with its steps. */
  readonly steps: Locator;
  readonly pageSteps: Locator;

  constructor(page: Page) {
    this.root = page.getByTestId("background-panel");
    this.selectAll = this.root.getByTestId("background-select-all");
    this.selectedCount = this.root.getByTestId("background-selected-count");
    this.instruction = this.root.getByTestId("background-instruction");
    this.proofread = this.root.getByTestId("background-proofread");
    this.startButton = this.root.getByTestId("background-start");
    this.error = this.root.getByTestId("background-error");
    this.progress = this.root.getByTestId("background-progress");
    this.progressText = this.root.getByTestId("background-progress-text");
    this.cancelButton = this.progress.getByTestId("background-cancel");
    this.applyAllButton = this.root.getByTestId("background-apply-all");
    this.report = this.root.getByTestId("background-report");
    this.steps = this.root.getByTestId("background-steps");
    this.pageSteps = this.steps.getByTestId("background-page-steps");
  }

  /** Starts a revision of the selected pages (with the Start button, or with Enter in the instruction). */
  async start(instruction?: string, options: { with?: "button" | "enter" } = {}): Promise<void> {
    if (instruction !== undefined) await this.instruction.fill(instruction);
    if (options.with === "enter") await this.instruction.press("Enter");
    else await this.startButton.click();
  }

  /** Opens "Steps per page" (a closed disclosure hides its lines). */
  async showSteps(): Promise<void> {
    await this.steps.locator("summary").click();
  }

  async applyAll(): Promise<void> {
    await this.applyAllButton.click();
  }
}
