import { expect, type Locator, type Page } from "@playwright/test";
import { AppShell } from "./app-shell";
import { BackgroundPanel } from "./background";
import { ExportMenu } from "./export";
import { HistoryPanel } from "./history";
import { PageCard } from "./page-card";
import { SummarizeAllBar } from "./summary";

/** One story: its title and description, its pages, the background revision panel and the history panel. */
export class StoryPage extends AppShell {
  readonly title: Locator;
  readonly titleInput: Locator;
  readonly description: Locator;
  readonly descriptionInput: Locator;
  /** The language select in the header (saves on change). */
  readonly language: Locator;
  /** "3 pages" in the header. */
  readonly pageTotal: Locator;
  readonly cards: Locator;
  readonly contents: Locator;
  readonly pageList: Locator;
  readonly pagesEmpty: Locator;
  readonly addPageButton: Locator;
  readonly suggestions: Locator;
  /** The checkboxes that pick pages for a background revision. */
  readonly pageSelects: Locator;
  readonly background: BackgroundPanel;
  readonly history: HistoryPanel;
  readonly summarizeAll: SummarizeAllBar;
  readonly exportMenu: ExportMenu;
  /** The story's content rating (a select) and the note shown when the viewer's maxima lower it. */
  readonly rating: Locator;
  readonly ratingClamp: Locator;

  constructor(page: Page) {
    super(page);
    this.title = page.getByTestId("story-title");
    this.titleInput = page.getByTestId("story-title-input");
    this.description = page.getByTestId("story-description");
    this.descriptionInput = page.getByTestId("story-description-input");
    this.language = page.getByTestId("story-language");
    this.rating = page.getByTestId("story-rating");
    this.ratingClamp = page.getByTestId("story-rating-clamp");
    this.pageTotal = page.getByTestId("story-page-total");
    this.cards = page.getByTestId("page-card");
    this.contents = page.getByTestId("page-content");
    this.pageList = page.getByTestId("page-list");
    this.pagesEmpty = page.getByTestId("pages-empty");
    this.addPageButton = page.getByTestId("page-add-end");
    this.suggestions = page.getByTestId("suggestion-panel");
    this.pageSelects = page.getByTestId("page-select");
    this.background = new BackgroundPanel(page);
    this.history = new HistoryPanel(page);
    this.summarizeAll = new SummarizeAllBar(page);
    this.exportMenu = new ExportMenu(page);
  }

  async goto(storyId: string): Promise<void> {
    await this.page.goto(`/stories/${storyId}`);
  }

  /** The story's id, from the address. */
  id(): string {
    return new URL(this.page.url()).pathname.split("/").pop()!;
  }

  /** The page at this position (0-based), whichever page that is at the time. */
  card(index: number): PageCard {
    return new PageCard(this.cards.nth(index));
  }

  lastCard(): PageCard {
    return new PageCard(this.cards.last());
  }

  /** A page by its id: it stays the same page after moves and reloads. */
  cardById(pageId: string): PageCard {
    return new PageCard(this.page.locator(`[data-testid="page-card"][data-page-id="${pageId}"]`));
  }

  /**
   * Adds a blank page at the end, waits for it, and returns it (by id). A new page opens in its editor, with keyboard
   * focus in the text.
   */
  async addPage(): Promise<PageCard> {
    const before = await this.cards.count();
    await this.addPageButton.click();
    await expect(this.cards).toHaveCount(before + 1);
    const card = this.cardById((await this.cards.last().getAttribute("data-page-id"))!);
    await expect(card.editor).toBeFocused();
    return card;
  }

  /**
   * Adds a page at the end and writes `text` into it. With an empty `text` the blank page is closed again (Cancel),
   * so that it is shown as a reader sees it.
   */
  async addPageWithText(text: string): Promise<PageCard> {
    const card = await this.addPage();
    if (text) await card.write(text);
    else await card.close();
    return card;
  }

  /** The "Skip to pages" link, the first tab stop of a story. */
  get skipToPages(): Locator {
    return this.page.getByTestId("skip-to-pages");
  }

  /** Every page's text, in story order. */
  async expectTexts(texts: string[]): Promise<void> {
    await expect(this.contents).toHaveText(texts);
  }

  /** Waits until the page list has stored every move (it is no longer busy). */
  async expectSettled(): Promise<void> {
    await expect(this.pageList).not.toHaveAttribute("aria-busy", "true");
  }

  /** Undo of the AI's text, from the notification. */
  async undoAi(): Promise<void> {
    await this.page.getByTestId("toast-undo-ai").click();
  }

  /** Opens the same story in another tab of the same browser (same session). */
  async openInNewTab(): Promise<StoryPage> {
    const other = new StoryPage(await this.page.context().newPage());
    await other.page.goto(this.page.url());
    return other;
  }

  async close(): Promise<void> {
    await this.page.close();
  }

  async backToAllStories(): Promise<void> {
    await this.page.getByRole("link", { name: "All stories" }).click();
  }
}
