/**
 * The text model every export format writes from. A page is plain text: paragraphs are separated by blank lines, a
 * single newline is a line break inside a paragraph, and a line written as a Markdown ATX heading (`# Title`,
 * `## Title`) at the start of a line is a chapter heading — the headings a table of contents "by chapter" lists.
 */

export type Block = { kind: "heading"; level: 1 | 2; text: string } | { kind: "paragraph"; lines: string[] };

const HEADING = /^(#{1,2})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;

/**
 * Characters XML 1.0 does not allow (C0 controls other than tab, newline and carriage return; lone surrogates;
 * U+FFFE and U+FFFF). A page may hold them (pasted text), and one of them would make an EPUB or a DOCX unreadable.
 */
const NOT_XML =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The text without characters XML cannot carry, with CRLF / CR line ends made LF. */
export function cleanText(text: string): string {
  return text.replace(/\r\n?/g, "\n").replace(NOT_XML, "");
}

/** A page's blocks in order; an empty page has none. */
export function parseBlocks(content: string): Block[] {
  const blocks: Block[] = [];
  let lines: string[] = [];
  const flush = () => {
    if (lines.length) blocks.push({ kind: "paragraph", lines });
    lines = [];
  };
  for (const raw of cleanText(content).split("\n")) {
    const line = raw.replace(/[ \t]+$/, "");
    const heading = HEADING.exec(line);
    if (heading && heading[2]!.trim() !== "") {
      flush();
      blocks.push({ kind: "heading", level: heading[1]!.length as 1 | 2, text: heading[2]!.trim() });
    } else if (line.trim() === "") {
      flush();
    } else {
      lines.push(line);
    }
  }
  flush();
  return blocks;
}

/** The chapter headings of a page, in order. */
export function headingsOf(blocks: Block[]): string[] {
  return blocks.flatMap((b) => (b.kind === "heading" ? [b.text] : []));
}

/** Text for XML content and attribute values. */
export function escapeXml(text: string): string {
  return cleanText(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/**
 * Prose as CommonMark text that renders as the same characters: inline syntax (emphasis, code, links, HTML,
 * entities, tables, strikethrough) is backslash-escaped everywhere, block syntax (headings, quotes, lists, thematic
 * breaks, setext underlines, fences, indented code) where a line starts with it.
 */
export function escapeMarkdownLine(line: string): string {
  let out = line
    .replace(/^[ \t]+/, "")
    .replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`)
    .replace(/&(?=#?[A-Za-z0-9]+;)/g, "\\&");
  out = out
    .replace(/^(#{1,6})(?=[ \t]|$)/, "\\$1")
    .replace(/^([-+=])/, "\\$1")
    .replace(/^(\d{1,9})([.)])/, "$1\\$2");
  return out;
}

/** Text without headings (a description, a codex entry): its paragraphs, each a list of lines. */
export function proseParagraphs(text: string): string[][] {
  return cleanText(text)
    .split(/\n[ \t]*\n/)
    .map((p) =>
      p
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== ""),
    )
    .filter((lines) => lines.length > 0);
}
