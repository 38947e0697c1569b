import { aliasLine, CODEX_TITLE, codexGroups } from "./codex";
import type { ExportSource } from "./source";
import { cleanText, parseBlocks, proseParagraphs } from "./text";

const underline = (text: string, char: string) => `${text}\n${char.repeat(Math.max(3, [...text].length))}`;
const prose = (text: string) =>
  proseParagraphs(text)
    .map((lines) => lines.join("\n"))
    .join("\n\n");

/** The scene on one line: a description may hold line breaks, and the bracketed line must stay one line. */
export const illustrationLine = (scene: string) => `[Illustration: ${cleanText(scene).replace(/\s+/g, " ").trim()}]`;

/**
 * The story as plain UTF-8 text: the title underlined, the description, the pages in order with a `* * *` line
 * between two pages (chapter headings as lines of their own, without the `#`; an illustrated page opens with an
 * `[Illustration: scene]` line), the codex appendix at the end.
 */
export async function* plainTextChunks(source: ExportSource): AsyncGenerator<string> {
  const { story } = source;
  let head = `${underline(cleanText(story.title), "=")}\n`;
  if (story.description.trim()) head += `\n${prose(story.description)}\n`;
  yield head;
  for await (const page of source.pages()) {
    const blocks = parseBlocks(page.content).map((b) =>
      b.kind === "heading" ? underline(b.text, b.level === 1 ? "=" : "-") : b.lines.join("\n"),
    );
    // Where the picture stands on the page (above its text), as a line a reader of plain text can follow.
    if (page.illustration) blocks.unshift(illustrationLine(page.illustration.sceneDescription));
    const body = blocks.join("\n\n");
    yield `\n${page.number === 1 ? "" : "* * *\n\n"}${body}${body ? "\n" : ""}`;
  }
  const codex = await source.codex();
  if (codex) {
    let out = `\n\n${underline(CODEX_TITLE, "=")}\n`;
    for (const group of codexGroups(codex)) {
      out += `\n${underline(group.title, "-")}\n`;
      for (const entry of group.entries) {
        out += `\n${entry.name}\n`;
        if (entry.aliases.length) out += `${aliasLine(entry.aliases)}\n`;
        if (entry.description.trim()) out += `${prose(entry.description)}\n`;
      }
    }
    yield out;
  }
}
