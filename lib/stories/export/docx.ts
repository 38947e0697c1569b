import {
  Bookmark,
  Document,
  AlignmentType,
  HeadingLevel,
  ImageRun,
  InternalHyperlink,
  Packer,
  Paragraph,
  TextRun,
  type ISectionOptions,
} from "docx";
import { aliasLine, CODEX_TITLE, codexGroups } from "./codex";
import { illustrationLine } from "./plain-text";
import type { ExportImage, ExportSource } from "./source";
import { TocBuilder, type TocEntry, type TocMode } from "./toc";
import { cleanText, headingsOf, parseBlocks, proseParagraphs } from "./text";

/**
 * The story as a Word document (docx library): a title page (title, description), a table of contents whose
 * entries link to bookmarks, the pages (each from a new page; chapter headings as Heading 1 / Heading 2) and the
 * codex appendix; a page's chosen illustration as a centred picture above its text. The docx library (9.x) builds the
 * document in memory and zips it whole — `Packer` compiles every part to XML (word/document.xml is one string with
 * every page) and zips with fflate's zipSync; even `Packer.toStream` emits that finished buffer as one chunk — and
 * the contents, written before the body, need every page's headings. So a DOCX is held as a model, as XML and as the
 * file, with every illustration's bytes (measured: bench/results/export-docx.md); the EPUB is the format streamed
 * page by page.
 */

const pageAnchor = (n: number) => `page_${n}`;
const headingAnchor = (n: number, i: number) => `page_${n}_h${i + 1}`;
const anchorOf = (e: TocEntry) => (e.heading === undefined ? pageAnchor(e.page) : headingAnchor(e.page, e.heading));

const lineRuns = (lines: string[]) =>
  lines.map((line, i) => new TextRun({ text: cleanText(line), ...(i > 0 ? { break: 1 } : {}) }));

const proseParagraphsOf = (text: string) =>
  proseParagraphs(text).map((lines) => new Paragraph({ children: lineRuns(lines) }));

/** The largest an illustration is drawn: the text width and most of the height of a Letter / A4 page, in pixels at 96 dpi. */
const MAX_IMAGE_WIDTH = 576;
const MAX_IMAGE_HEIGHT = 768;

/** Word embeds PNG and JPEG (docx's ImageRun has no WebP); a WebP illustration is named by its scene instead. */
const docxImageTypes = { "image/png": "png", "image/jpeg": "jpg" } as const;

function illustrationParagraph(image: ExportImage | null, scene: string): Paragraph {
  const type =
    image && image.contentType in docxImageTypes
      ? docxImageTypes[image.contentType as keyof typeof docxImageTypes]
      : null;
  if (!image || !type)
    return new Paragraph({ children: [new TextRun({ text: illustrationLine(scene), italics: true })] });
  const scale = Math.min(1, MAX_IMAGE_WIDTH / image.width, MAX_IMAGE_HEIGHT / image.height);
  const alt = cleanText(scene).replace(/\s+/g, " ").trim();
  return new Paragraph({
    alignment: AlignmentType.CENTER,
    children: [
      new ImageRun({
        type,
        data: image.bytes,
        transformation: {
          width: Math.max(1, Math.round(image.width * scale)),
          height: Math.max(1, Math.round(image.height * scale)),
        },
        altText: { name: "Illustration", title: "Illustration", description: alt },
      }),
    ],
  });
}

export async function docxBuffer(source: ExportSource, toc: TocMode): Promise<Buffer> {
  const { story } = source;
  const contents = new TocBuilder(toc);
  const body: Paragraph[] = [];
  for await (const page of source.pages()) {
    const blocks = parseBlocks(page.content);
    contents.addPage(page.number, headingsOf(blocks));
    const pageStart: Paragraph[] = [];
    if (page.illustration) {
      pageStart.push(illustrationParagraph(await source.image(page.illustration), page.illustration.sceneDescription));
    }
    let h = 0;
    for (const block of blocks) {
      if (block.kind === "heading") {
        const anchor = headingAnchor(page.number, h++);
        pageStart.push(
          new Paragraph({
            heading: block.level === 1 ? HeadingLevel.HEADING_1 : HeadingLevel.HEADING_2,
            children: [new Bookmark({ id: anchor, children: [new TextRun(cleanText(block.text))] })],
          }),
        );
      } else {
        pageStart.push(new Paragraph({ children: lineRuns(block.lines) }));
      }
    }
    // Each page opens a new page with its bookmark (the table of contents by page links there).
    body.push(
      new Paragraph({
        pageBreakBefore: page.number > 1,
        children: [new Bookmark({ id: pageAnchor(page.number), children: [] })],
      }),
      ...pageStart,
    );
  }

  const sections: ISectionOptions[] = [
    {
      children: [
        new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun(cleanText(story.title))] }),
        ...proseParagraphsOf(story.description),
      ],
    },
    {
      children: [
        new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun("Contents")] }),
        ...contents.entries().map(
          (entry) =>
            new Paragraph({
              children: [
                new InternalHyperlink({ anchor: anchorOf(entry), children: [new TextRun(cleanText(entry.label))] }),
              ],
            }),
        ),
      ],
    },
    { children: body },
  ];
  const codex = await source.codex();
  if (codex) {
    const appendix: Paragraph[] = [
      new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun(CODEX_TITLE)] }),
    ];
    for (const group of codexGroups(codex)) {
      appendix.push(new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun(group.title)] }));
      for (const entry of group.entries) {
        appendix.push(new Paragraph({ children: [new TextRun({ text: entry.name, bold: true })] }));
        if (entry.aliases.length) {
          appendix.push(new Paragraph({ children: [new TextRun({ text: aliasLine(entry.aliases), italics: true })] }));
        }
        appendix.push(...proseParagraphsOf(entry.description));
      }
    }
    sections.push({ children: appendix });
  }
  const document = new Document({
    title: cleanText(story.title),
    description: cleanText(story.description),
    creator: "Story Sprout",
    sections,
  });
  return Packer.toBuffer(document);
}
