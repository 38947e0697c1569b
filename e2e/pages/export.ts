import type { Download, Locator, Page } from "@playwright/test";

/** The story's Export menu: format, table of contents, codex appendix, Download. */
export class ExportMenu {
  readonly toggle: Locator;
  readonly codex: Locator;
  readonly download: Locator;

  constructor(private readonly page: Page) {
    this.toggle = page.getByTestId("story-export-toggle");
    this.codex = page.getByTestId("story-export-codex");
    this.download = page.getByTestId("story-export-download");
  }

  format(value: "epub" | "docx" | "md" | "txt"): Locator {
    return this.page.getByTestId(`story-export-format-${value}`);
  }

  toc(value: "pages" | "chapters"): Locator {
    return this.page.getByTestId(`story-export-toc-${value}`);
  }

  /** Opens the menu (when closed), picks the options and downloads; resolves with the browser's download. */
  async export(
    format: "epub" | "docx" | "md" | "txt",
    options: { toc?: "pages" | "chapters"; codex?: boolean } = {},
  ): Promise<Download> {
    if (!(await this.download.isVisible())) await this.toggle.click();
    await this.format(format).check();
    await this.toc(options.toc ?? "pages").check();
    await this.codex.setChecked(options.codex ?? false);
    const [download] = await Promise.all([this.page.waitForEvent("download"), this.download.click()]);
    return download;
  }
}
