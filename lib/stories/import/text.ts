import type { ManuscriptBlock } from "./document";

// A line on its own that names a part of the book ("Chapter 3", "PART TWO: The Sea", "Prologue").
const CHAPTER_LINE = /^(chapter|part|book|prologue|epilogue|interlude)\b.{0,80}$/i;

/**
 * Plain text: paragraphs are separated by blank lines, a form feed is a page break, and a short paragraph of one
 * line that names a chapter is a heading. Line breaks inside a paragraph are kept.
 */
export function textBlocks(source: string): ManuscriptBlock[] {
  const blocks: ManuscriptBlock[] = [];
  const normalized = source.replace(/\r\n?/g, "\n");
  normalized.split("\f").forEach((section, index) => {
    if (index > 0) blocks.push({ type: "break" });
    for (const chunk of section.split(/\n[ \t]*\n/)) {
      const text = chunk.replace(/^\n+|\s+$/g, "");
      if (!text.trim()) continue;
      if (!text.includes("\n") && CHAPTER_LINE.test(text.trim())) {
        blocks.push({ type: "heading", depth: 1, text: text.trim() });
      } else {
        blocks.push({ type: "paragraph", text });
      }
    }
  });
  return blocks;
}

/** A plain text's title: its first line when short, set apart by a blank line and not a sentence or a chapter. */
export function textTitle(blocks: ManuscriptBlock[]): string | null {
  const first = blocks[0];
  if (first?.type !== "paragraph" || first.text.includes("\n")) return null;
  const line = first.text.trim();
  if (line.length > 80 || /[.,;:!?"”]$/.test(line) || blocks.length < 2) return null;
  return line;
}
