/** What a table of contents lists: every page, or every chapter heading (`#` / `##` lines of the pages). */
export type TocMode = "pages" | "chapters";

export interface TocEntry {
  label: string;
  /** The page it points at (1-based) and, for a chapter, the heading's index on that page. */
  page: number;
  heading?: number;
}

/**
 * Collects the contents while the pages stream past (a label and a number per page or heading: small next to the
 * text). By chapter, a story without any heading falls back to its pages, so the contents are never empty.
 */
export class TocBuilder {
  private readonly byPage: TocEntry[] = [];
  private readonly byChapter: TocEntry[] = [];
  constructor(private readonly mode: TocMode) {}

  addPage(page: number, headings: string[]): void {
    if (this.mode === "pages") {
      this.byPage.push({ label: headings[0] ? `Page ${page}: ${headings[0]}` : `Page ${page}`, page });
    } else {
      this.byPage.push({ label: `Page ${page}`, page });
      for (const [heading, label] of headings.entries()) this.byChapter.push({ label, page, heading });
    }
  }

  entries(): TocEntry[] {
    return this.mode === "chapters" && this.byChapter.length > 0 ? this.byChapter : this.byPage;
  }
}
