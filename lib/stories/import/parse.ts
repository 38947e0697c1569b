import type { ImportFormat } from "@/db/import-schema";
import { AppError } from "@/lib/errors";
import { limits } from "../limits";
import { hasText, withTitle, type Manuscript } from "./document";
import { docxBlocks } from "./docx";
import { markdownBlocks } from "./markdown";
import { decodeText } from "./sniff";
import { textBlocks, textTitle } from "./text";

/** Reads a checked upload (lib/stories/import/sniff.ts checkImportFile) into headings, paragraphs and breaks. */
export async function readManuscript(format: ImportFormat, bytes: Buffer): Promise<Manuscript> {
  let manuscript: Manuscript;
  if (format === "docx") {
    const { blocks, title, subtitle } = await docxBlocks(bytes);
    manuscript = withTitle(blocks, title);
    if (subtitle)
      manuscript.description = manuscript.description ? `${subtitle}\n\n${manuscript.description}` : subtitle;
  } else if (format === "md") {
    manuscript = withTitle(markdownBlocks(decodeText(bytes)));
  } else {
    const blocks = textBlocks(decodeText(bytes));
    const title = textTitle(blocks);
    // A plain text's title line is a heading above every chapter (depth 0), so withTitle takes it like any other.
    manuscript = withTitle(title ? [{ type: "heading", depth: 0, text: title }, ...blocks.slice(1)] : blocks);
  }
  if (!hasText(manuscript) && !manuscript.description) throw new AppError("IMPORT_EMPTY");
  return manuscript;
}

/** The story's title and description from the document, else from the file's name; cut to the story's limits. */
export function storyFields(manuscript: Manuscript, fileName: string): { title: string; description: string } {
  const fromName =
    fileName
      .replace(/\.[^.]+$/, "")
      .replace(/[_]+/g, " ")
      .trim() || "Imported story";
  const title = (manuscript.title ?? fromName).slice(0, limits.titleMax);
  const description = (manuscript.description ?? "").slice(0, limits.descriptionMax);
  return { title, description };
}
