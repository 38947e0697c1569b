import { expect, type Locator, type Page } from "@playwright/test";

/** The entry form of the codex panel (adding, editing, or editing a suggestion before accepting it). */
export class CodexForm {
  readonly root: Locator;
  readonly kind: Locator;
  readonly name: Locator;
  readonly aliases: Locator;
  readonly description: Locator;
  readonly appearance: Locator;
  readonly activation: Locator;
  readonly save: Locator;
  readonly cancel: Locator;
  readonly nameError: Locator;
  readonly aliasesError: Locator;
  readonly formError: Locator;

  constructor(root: Locator) {
    this.root = root;
    this.kind = root.getByTestId("codex-kind");
    this.name = root.getByTestId("codex-name");
    this.aliases = root.getByTestId("codex-aliases");
    this.description = root.getByTestId("codex-description");
    this.appearance = root.getByTestId("codex-appearance");
    this.activation = root.getByTestId("codex-activation");
    this.save = root.getByTestId("codex-save");
    this.cancel = root.getByTestId("codex-cancel");
    this.nameError = root.getByTestId("codex-error-name");
    this.aliasesError = root.getByTestId("codex-error-aliases");
    this.formError = root.getByTestId("codex-form-error");
  }

  async fill(values: {
    kind?: string;
    name?: string;
    aliases?: string;
    description?: string;
    appearance?: string;
    activation?: string;
  }) {
    if (values.kind !== undefined) await this.kind.selectOption(values.kind);
    if (values.name !== undefined) await this.name.fill(values.name);
    if (values.aliases !== undefined) await this.aliases.fill(values.aliases);
    if (values.description !== undefined) await this.description.fill(values.description);
    if (values.appearance !== undefined) await this.appearance.fill(values.appearance);
    if (values.activation !== undefined) await this.activation.selectOption(values.activation);
  }
}

/** The story codex panel beside the pages: entries, search, the form, and Suggest entries with its review. */
export class CodexPanel {
  readonly root: Locator;
  readonly search: Locator;
  readonly addButton: Locator;
  readonly entries: Locator;
  readonly noMatch: Locator;
  readonly suggestButton: Locator;
  readonly suggestProgress: Locator;
  readonly suggestions: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId("codex-panel");
    this.search = this.root.getByTestId("codex-search");
    this.addButton = this.root.getByTestId("codex-add");
    this.entries = this.root.getByTestId("codex-entry");
    this.noMatch = this.root.getByTestId("codex-no-match");
    this.suggestButton = this.root.getByTestId("codex-suggest");
    this.suggestProgress = this.root.getByTestId("codex-suggest-progress");
    this.suggestions = this.root.getByTestId("codex-suggestion");
  }

  /** The form open in the panel (one at a time in these tests). */
  form(): CodexForm {
    return new CodexForm(this.root.getByTestId("codex-form"));
  }

  entry(name: string): Locator {
    return this.root.locator(`[data-testid="codex-entry"][data-entry-name="${name}"]`);
  }

  group(kind: string): Locator {
    return this.root.locator(`[data-testid="codex-group"][data-kind="${kind}"]`);
  }

  suggestion(name: string): Locator {
    return this.root.locator(`[data-testid="codex-suggestion"][data-suggestion-name="${name}"]`);
  }

  async names(): Promise<string[]> {
    return this.root.getByTestId("codex-entry-name").allTextContents();
  }

  /** Adds an entry with the form and waits for it in the list. */
  async add(values: Parameters<CodexForm["fill"]>[0] & { name: string }): Promise<void> {
    await this.addButton.click();
    const form = this.form();
    await form.fill(values);
    await form.save.click();
    await expect(this.entry(values.name.trim())).toBeVisible();
  }

  async startEditing(name: string): Promise<CodexForm> {
    await this.entry(name).getByTestId("codex-edit").click();
    return this.form();
  }

  async delete(name: string): Promise<void> {
    const entry = this.entry(name);
    await entry.getByTestId("codex-delete").click();
    await entry.getByTestId("codex-delete-confirm").click();
    await expect(entry).toHaveCount(0);
  }
}
