import type { ExportFormat } from "./schema";

/** The Content-Type of each export format. */
export const exportContentTypes: Record<ExportFormat, string> = {
  md: "text/markdown; charset=utf-8",
  txt: "text/plain; charset=utf-8",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  epub: "application/epub+zip",
};

/** Markdown with illustrations: a zip of the .md file and the images/ folder it links to. */
export const MARKDOWN_BUNDLE_TYPE = "application/zip";
