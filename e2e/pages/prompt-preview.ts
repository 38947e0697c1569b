import { expect, type Locator, type Page } from "@playwright/test";

/** The "Preview prompt" dialog beside Generate: the parts of the prompt with their tokens, total vs budget, cost. */
export class PromptPreview {
  readonly dialog: Locator;
  readonly sections: Locator;
  readonly total: Locator;
  readonly coverage: Locator;
  readonly cost: Locator;
  readonly closeButton: Locator;

  constructor(page: Page) {
    this.dialog = page.getByTestId("prompt-preview-dialog");
    this.sections = this.dialog.getByTestId("context-section");
    this.total = this.dialog.getByTestId("context-total");
    this.coverage = this.dialog.getByTestId("context-coverage");
    this.cost = this.dialog.getByTestId("context-cost");
    this.closeButton = this.dialog.getByTestId("prompt-preview-close");
  }

  section(kind: string): Locator {
    return this.dialog.locator(`[data-testid="context-section"][data-kind="${kind}"]`);
  }

  /** Tokens of each section, as numbers. */
  async sectionTokens(): Promise<number[]> {
    const texts = await this.sections.getByTestId("context-section-tokens").allTextContents();
    return texts.map((t) => Number(t.replace(/[^\d]/g, "")));
  }

  /** "1,234 of 8,000 tokens …" → [1234, 8000]. */
  async totalAndBudget(): Promise<[number, number]> {
    await expect(this.total).toHaveText(/of [\d,]+ tokens/);
    const match = /([\d,]+) of ([\d,]+) tokens/.exec((await this.total.textContent()) ?? "")!;
    return [Number(match[1]!.replace(/,/g, "")), Number(match[2]!.replace(/,/g, ""))];
  }
}
