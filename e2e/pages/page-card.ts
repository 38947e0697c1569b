import { expect, type Locator } from "@playwright/test";
import { HistoryPanel } from "./history";
import { SummaryPanel } from "./summary";

/** A job may take a while on the e2e server's slow offline model. */
const JOB = { timeout: 60_000 };

/** The Generate with AI controls of a page card (shown while the page is open for editing). */
export class GenerateControls {
  readonly button: Locator;
  readonly instruction: Locator;
  readonly modelLabel: Locator;
  readonly status: Locator;
  readonly elapsed: Locator;
  readonly cancelButton: Locator;
  readonly retryButton: Locator;
  readonly error: Locator;
  readonly budget: Locator;
  /** Why Generate cannot be pressed (over the limit, a conflict, the budget used up). */
  readonly disabledReason: Locator;
  /** The job's retries in words ("Attempt 1 of 4 failed — … Trying again in 2 s."). */
  readonly attempt: Locator;
  readonly previewButton: Locator;

  constructor(card: Locator) {
    this.button = card.getByTestId("generate-button");
    this.instruction = card.getByTestId("generate-instruction");
    this.modelLabel = card.getByTestId("generate-model-label");
    this.status = card.getByTestId("generate-status");
    this.elapsed = card.getByTestId("generate-elapsed");
    this.cancelButton = card.getByTestId("generate-cancel");
    this.retryButton = card.getByTestId("generate-retry");
    this.error = card.getByTestId("generate-error");
    this.budget = card.getByTestId("ai-budget");
    this.disabledReason = card.getByTestId("generate-disabled-reason");
    this.attempt = card.getByTestId("generate-attempt");
    this.previewButton = card.getByTestId("prompt-preview-button");
  }

  async expectStatus(status: string | RegExp, options: { timeout?: number } = {}): Promise<void> {
    await expect(this.status).toHaveAttribute("data-status", status, options);
  }

  /** Waits (as long as a job may take) until the job has succeeded. */
  async expectSucceeded(): Promise<void> {
    await this.expectStatus("succeeded", JOB);
  }

  async expectRunning(): Promise<void> {
    await this.expectStatus("running", JOB);
  }

  async expectPendingOrRunning(): Promise<void> {
    await this.expectStatus(/pending|running/);
  }

  async expectResolution(resolution: "applied" | "suggested"): Promise<void> {
    await expect(this.status).toHaveAttribute("data-resolution", resolution);
  }

  async expectTransport(transport: "stream" | "polling"): Promise<void> {
    await expect(this.status).toHaveAttribute("data-transport", transport);
  }

  async cancel(): Promise<void> {
    await this.cancelButton.click();
  }

  async retry(): Promise<void> {
    await this.retryButton.click();
  }
}

/** One page of a story: its text, its editor, its actions, its AI job and the suggestion it may have. */
export class PageCard {
  /** The page's summary in the story's memory. */
  readonly summary: SummaryPanel;
  readonly content: Locator;
  readonly editor: Locator;
  readonly saveButton: Locator;
  readonly cancelButton: Locator;
  readonly charCount: Locator;
  readonly wordCount: Locator;
  /** "Unsaved draft from …": text typed earlier and never saved, with Restore and Discard. */
  readonly unsavedDraft: Locator;
  readonly error: Locator;
  /** Beside the server's "the AI is writing this page" refusal: the author's explicit "keep my text". */
  readonly saveAnywayButton: Locator;
  readonly moveUpButton: Locator;
  readonly moveDownButton: Locator;
  readonly addAfterButton: Locator;
  readonly deleteButton: Locator;
  readonly historyButton: Locator;
  readonly select: Locator;
  readonly generating: Locator;
  /** "AI at work" in the card's top bar while a job runs on the page. */
  readonly aiBadge: Locator;
  /** In the editor: the author's unsaved text is kept while a job started elsewhere writes the page. */
  readonly draftKept: Locator;
  readonly streaming: Locator;
  readonly conflict: Locator;
  readonly conflictTheirText: Locator;
  readonly suggestion: Locator;
  readonly suggestionText: Locator;
  readonly suggestionCurrentText: Locator;
  /** The suggestion's word diff against the page (the panel's default view). */
  readonly suggestionDiff: Locator;
  readonly ai: GenerateControls;

  constructor(readonly root: Locator) {
    this.summary = new SummaryPanel(root);
    this.content = root.getByTestId("page-content");
    this.editor = root.getByTestId("page-editor");
    this.saveButton = root.getByTestId("page-save");
    this.cancelButton = root.getByTestId("page-cancel");
    this.charCount = root.getByTestId("page-char-count");
    this.wordCount = root.getByTestId("page-word-count");
    this.unsavedDraft = root.getByTestId("unsaved-draft");
    this.error = root.getByTestId("page-error");
    this.saveAnywayButton = root.getByTestId("page-save-anyway");
    this.moveUpButton = root.getByTestId("page-move-up");
    this.moveDownButton = root.getByTestId("page-move-down");
    this.addAfterButton = root.getByTestId("page-add-after");
    this.deleteButton = root.getByTestId("page-delete");
    this.historyButton = root.getByTestId("page-history");
    this.select = root.getByTestId("page-select");
    this.generating = root.getByTestId("page-generating");
    this.aiBadge = root.getByTestId("page-ai-badge");
    this.draftKept = root.getByTestId("page-draft-kept");
    this.streaming = root.getByTestId("page-streaming");
    this.conflict = root.getByTestId("page-conflict");
    this.conflictTheirText = root.getByTestId("conflict-their-text");
    this.suggestion = root.getByTestId("suggestion-panel");
    this.suggestionText = root.getByTestId("suggestion-text");
    this.suggestionCurrentText = root.getByTestId("suggestion-current-text");
    this.suggestionDiff = root.getByTestId("suggestion-diff");
    this.ai = new GenerateControls(root);
  }

  async id(): Promise<string> {
    return (await this.root.getAttribute("data-page-id"))!;
  }

  async version(): Promise<number> {
    return Number(await this.root.getAttribute("data-version"));
  }

  async expectVersion(version: number | string): Promise<void> {
    await expect(this.root).toHaveAttribute("data-version", String(version));
  }

  async expectText(text: string | RegExp): Promise<void> {
    await expect(this.content).toHaveText(text);
  }

  /** Opens the editor with the mouse (a page just added is open already). */
  async open(): Promise<void> {
    await expect(this.editor.or(this.content)).toBeVisible();
    if (await this.editor.isVisible()) return;
    await this.content.click();
  }

  /** Closes the open editor without saving (Cancel), and waits for the page's text. */
  async close(): Promise<void> {
    await this.cancelButton.click();
    await expect(this.editor).toHaveCount(0);
    await expect(this.content).toBeVisible();
  }

  /** Opens the editor and types `text` over what is there, without saving. */
  async type(text: string): Promise<void> {
    await this.open();
    await this.editor.fill(text);
  }

  async save(): Promise<void> {
    await this.saveButton.click();
  }

  async cancel(): Promise<void> {
    await this.cancelButton.click();
  }

  /** Opens the editor, replaces the text, saves, and waits until the page shows it. */
  async write(text: string): Promise<void> {
    await this.type(text);
    await this.save();
    await expect(this.editor).toHaveCount(0);
    await expect(this.content).toHaveText(text);
  }

  /** The text in the editor now. */
  async editorText(): Promise<string> {
    return this.editor.inputValue();
  }

  /** Waits until the editor holds more than `than` characters (the AI is writing), and returns its length. */
  async waitForEditorLongerThan(than: number): Promise<number> {
    let length = 0;
    await expect
      .poll(async () => {
        length = (await this.editor.inputValue()).length;
        return length;
      }, JOB)
      .toBeGreaterThan(than);
    return length;
  }

  /** Asks the AI to write or revise the open page, with an optional instruction. */
  async generate(options: { instruction?: string } = {}): Promise<void> {
    if (options.instruction !== undefined) await this.ai.instruction.fill(options.instruction);
    await this.ai.button.click();
  }

  async openHistory(): Promise<HistoryPanel> {
    await this.historyButton.click();
    return new HistoryPanel(this.root.page());
  }

  /** How many versions in the page's history the AI wrote (opens and closes the history panel). */
  async aiRevisionCount(): Promise<number> {
    const history = await this.openHistory();
    await expect(history.items.first()).toBeVisible();
    const count = await history.aiItems.count();
    await history.close();
    await expect(history.root).toHaveCount(0);
    return count;
  }

  async applySuggestion(): Promise<void> {
    await this.root.getByTestId("suggestion-apply").click();
  }

  async discardSuggestion(): Promise<void> {
    await this.root.getByTestId("suggestion-discard").click();
  }

  async keepMine(): Promise<void> {
    await this.root.getByTestId("conflict-keep-mine").click();
  }

  async useTheirs(): Promise<void> {
    await this.root.getByTestId("conflict-use-theirs").click();
  }

  async moveUp(): Promise<void> {
    await this.moveUpButton.click();
  }

  async moveDown(): Promise<void> {
    await this.moveDownButton.click();
  }

  async addAfter(): Promise<void> {
    await this.addAfterButton.click();
  }

  async delete(): Promise<void> {
    await this.deleteButton.click();
  }
}
