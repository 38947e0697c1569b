import { Readable } from "node:stream";
import { ZipFile } from "yazl";
import { log } from "@/lib/log";
import { aliasLine, CODEX_TITLE, codexGroups } from "./codex";
import { imageExtensions, type ExportIllustration, type ExportSource } from "./source";
import { escapeMarkdownLine, parseBlocks, proseParagraphs, type Block } from "./text";

/** Where a page's illustration goes in the Markdown bundle, relative to the .md file. */
export const markdownImagePath = (page: number, illustration: ExportIllustration) =>
  `images/page-${String(page).padStart(5, "0")}.${imageExtensions[illustration.contentType]}`;

/** `![scene](images/…)`: the scene description, on one line, is the image's alt text. */
const imageMarkdown = (page: number, illustration: ExportIllustration) =>
  `![${escapeMarkdownLine(illustration.sceneDescription.replace(/\s+/g, " ").trim())}](${markdownImagePath(page, illustration)})`;

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
export async function* markdownChunks(
  source: ExportSource,
  onImage: (page: number, illustration: ExportIllustration) => void = () => {},
): AsyncGenerator<string> {
  const { story } = source;
  let head = `# ${escapeMarkdownLine(story.title)}\n`;
  if (story.description.trim()) head += `\n${paragraphs(story.description)}\n`;
  yield head;
  for await (const page of source.pages()) {
    const blocks = parseBlocks(page.content).map(blockMarkdown);
    if (page.illustration) {
      blocks.unshift(imageMarkdown(page.number, page.illustration));
      onImage(page.number, page.illustration);
    }
    const body = blocks.join("\n\n");
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

/**
 * Markdown with illustrations: a zip holding `<title>.md` and an `images/` folder it links to with relative paths
 * (`![scene](images/page-00001.png)`), which is what Markdown editors (Obsidian, Typora, VS Code) and static-site
 * tools read, and what Notion's and Bear's Markdown exports look like. The .md entry is written first, streamed as
 * the pages are read, noting only which pages have an image; then the images, one at a time: each is read from its
 * store only when the previous one has been written, so one image is held at a time. Images are stored uncompressed
 * (PNG, JPEG and WebP are compressed already).
 */
export function markdownBundleStream(source: ExportSource, markdownName: string, now = new Date()): Readable {
  const zip = new ZipFile();
  const out = zip.outputStream as Readable;
  const images: { page: number; illustration: ExportIllustration }[] = [];
  // A download cancelled midway closes the output: whatever was waiting for an entry to be written stops waiting.
  const closed = new Promise<void>((resolve) => out.once("close", resolve));
  const ended = (stream: Readable) =>
    Promise.race([
      closed,
      new Promise<void>((resolve, reject) => {
        stream.once("end", resolve);
        stream.once("error", reject);
      }),
    ]);

  void (async () => {
    const text = Readable.from(
      markdownChunks(source, (page, illustration) => images.push({ page, illustration })),
      { objectMode: false },
    );
    // A cancelled download stops the page reads too (destroying the stream returns the generator).
    void closed.then(() => text.destroy());
    zip.addReadStream(text, markdownName, { mtime: now, compress: true });
    await ended(text);
    for (const { page, illustration } of images) {
      if (out.destroyed) return;
      const image = await source.image(illustration);
      if (!image) continue;
      const entry = Readable.from([Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength)]);
      zip.addReadStream(entry, markdownImagePath(page, illustration), { mtime: now, compress: false });
      await ended(entry);
    }
    zip.end();
  })().catch((error: unknown) => {
    log("error", "export failed while streaming", { format: "md", storyId: source.story.id, error });
    out.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  return out;
}
