import { aliasLine, CODEX_TITLE, codexGroups } from "./codex";
import type { ExportSource } from "./source";
import { escapeMarkdownLine, parseBlocks, proseParagraphs, type Block } from "./text";

/** One block's Markdown: a heading as an ATX heading under the title's level, a paragraph with hard line breaks. */
function blockMarkdown(block: Block): string {
  if (block.kind === "heading") return `${"#".repeat(block.level + 1)} ${escapeMarkdownLine(block.text)}`;
  return block.lines.map(escapeMarkdownLine).join("\\\n");
}

/** Prose without headings, escaped, its paragraphs separated by blank lines. */
const paragraphs = (text: string) =>
  proseParagraphs(text)
    .map((lines) => lines.map(escapeMarkdownLine).join("\\\n"))
    .join("\n\n");

/**
 * The story as CommonMark: the title (`#`), the description, then the pages in order with a thematic break
 * between two pages, chapter headings one level under the title; the codex appendix at the end when asked for.
 * Every piece of the author's text is escaped so that it reads as the same characters.
 */
export async function* markdownChunks(source: ExportSource): AsyncGenerator<string> {
  const { story } = source;
  let head = `# ${escapeMarkdownLine(story.title)}\n`;
  if (story.description.trim()) head += `\n${paragraphs(story.description)}\n`;
  yield head;
  for await (const page of source.pages()) {
    const body = parseBlocks(page.content).map(blockMarkdown).join("\n\n");
    yield `\n${page.number === 1 ? "" : "* * *\n\n"}${body}${body ? "\n" : ""}`;
  }
  const codex = await source.codex();
  if (codex) {
    let out = `\n## ${CODEX_TITLE}\n`;
    for (const group of codexGroups(codex)) {
      out += `\n### ${escapeMarkdownLine(group.title)}\n`;
      for (const entry of group.entries) {
        out += `\n**${escapeMarkdownLine(entry.name)}**\n`;
        if (entry.aliases.length) out += `\n*${escapeMarkdownLine(aliasLine(entry.aliases))}*\n`;
        if (entry.description.trim()) out += `\n${paragraphs(entry.description)}\n`;
      }
    }
    yield out;
  }
}
