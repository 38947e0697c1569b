import { expect, type Locator, type Page } from "@playwright/test";
import { AppShell } from "./app-shell";

/** One story in the list, found by its id so it survives a rename and a reload. */
export class StoryRow {
  readonly link: Locator;
  readonly pageCount: Locator;
  readonly updated: Locator;
  readonly renameButton: Locator;
  readonly renameInput: Locator;
  readonly deleteButton: Locator;

  constructor(readonly root: Locator) {
    this.link = root.getByTestId("story-link");
    this.pageCount = root.getByTestId("story-page-count");
    this.updated = root.getByTestId("story-updated");
    this.renameButton = root.getByTestId("story-rename");
    this.renameInput = root.getByTestId("story-rename-input");
    this.deleteButton = root.getByTestId("story-delete");
  }

  async id(): Promise<string> {
    return (await this.root.getAttribute("data-story-id"))!;
  }

  /** Opens the rename field and types a title, without confirming it. */
  async startRename(title: string): Promise<void> {
    await this.renameButton.click();
    await this.renameInput.fill(title);
  }

  async rename(title: string): Promise<void> {
    await this.startRename(title);
    await this.renameInput.press("Enter");
  }

  async open(): Promise<void> {
    await this.link.click();
  }
}

/** The list of the author's stories, with the form that creates one. */
export class StoriesPage extends AppShell {
  readonly empty: Locator;
  readonly rows: Locator;
  readonly createTitle: Locator;
  readonly createDescription: Locator;
  readonly createLanguage: Locator;
  readonly createSubmit: Locator;

  constructor(page: Page) {
    super(page);
    this.empty = page.getByTestId("stories-empty");
    this.rows = page.getByTestId("story-row");
    this.createTitle = page.getByTestId("story-create-title");
    this.createDescription = page.getByTestId("story-create-description");
    this.createLanguage = page.getByTestId("story-create-language");
    this.createSubmit = page.getByTestId("story-create-submit");
  }

  async goto(): Promise<void> {
    await this.page.goto("/stories");
  }

  /** The first row whose text contains `title`. */
  row(title: string): StoryRow {
    return new StoryRow(this.rows.filter({ hasText: title }));
  }

  rowById(id: string): StoryRow {
    return new StoryRow(this.page.locator(`[data-testid="story-row"][data-story-id="${id}"]`));
  }

  /** Sends the create form as filled in, without waiting for a new row (for refused input). */
  async submitCreate(title: string, description = ""): Promise<void> {
    await this.createTitle.fill(title);
    if (description) await this.createDescription.fill(description);
    await this.createSubmit.click();
  }

  /** Goes to the list, creates a story, opens it and returns its id. */
  async createStory(title: string, description = ""): Promise<string> {
    await this.goto();
    const row = await this.create(title, description);
    await row.open();
    await this.page.waitForURL(/\/stories\/[0-9a-f-]{36}$/);
    return this.page.url().split("/").pop()!;
  }

  /** Creates a story from the list and waits for its row; the row is found by id from then on. */
  async create(title: string, description = ""): Promise<StoryRow> {
    await this.submitCreate(title, description);
    const row = this.row(title);
    await expect(row.root).toBeVisible();
    return this.rowById(await row.id());
  }
}
