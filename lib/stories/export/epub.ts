import { Readable } from "node:stream";
import { ZipFile } from "yazl";
import { log } from "@/lib/log";
import { CODEX_TITLE, aliasLine, codexGroups } from "./codex";
import { imageExtensions, type ExportImage, type ExportSource } from "./source";
import { TocBuilder, type TocEntry, type TocMode } from "./toc";
import { escapeXml as x, headingsOf, parseBlocks, proseParagraphs, type Block } from "./text";

/**
 * EPUB 3 (with an EPUB 2 NCX for older readers), written as a zip stream: `mimetype` first, stored, without extra
 * fields; then META-INF/container.xml, the title page, one XHTML file per page as the pages arrive from the
 * database, the codex appendix, and last the navigation document, the NCX and the package document (OPF), which
 * need the whole list of pages but only their numbers and headings. The zip's output is read by the HTTP response;
 * the writer waits for it (backpressure), so at most one batch of pages (source.ts) and MAX_QUEUED_PAGES page
 * entries are held at a time. A page's chosen illustration goes in just before the page (OEBPS/images/, stored,
 * listed in the OPF with the type read from its bytes, shown above the page's text with the scene as alt text); the
 * next image is read from its store only once the previous one is written out, so one image is held at a time.
 */

const OEBPS = "OEBPS";
const pageFile = (n: number) => `page-${String(n).padStart(5, "0")}.xhtml`;
const headingId = (i: number) => `h${i + 1}`;
const imageFile = (n: number, image: ExportImage) =>
  `images/page-${String(n).padStart(5, "0")}.${imageExtensions[image.contentType]}`;

/** A page's picture in its XHTML: the path from the page's document, the scene as alt text. */
export interface PageImage {
  href: string;
  alt: string;
}

/** An image of the package: the OPF lists it with the type read from its bytes. */
interface PackageImage {
  id: string;
  href: string;
  mediaType: string;
}

function xhtml(title: string, lang: string, body: string, extraHead = ""): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" xml:lang="${x(lang)}" lang="${x(lang)}">
<head>
<meta charset="UTF-8"/>
<title>${x(title)}</title>
<link rel="stylesheet" type="text/css" href="style.css"/>${extraHead}
</head>
<body>
${body}
</body>
</html>
`;
}

const paragraph = (lines: string[]) => `<p>${lines.map(x).join("<br/>\n")}</p>`;

function blockXhtml(block: Block, headingIndex: number): string {
  if (block.kind === "heading") {
    const tag = block.level === 1 ? "h2" : "h3";
    return `<${tag} id="${headingId(headingIndex)}">${x(block.text)}</${tag}>`;
  }
  return paragraph(block.lines);
}

export function pageXhtml(number: number, blocks: Block[], lang: string, image?: PageImage): string {
  let h = 0;
  const parts = blocks.map((b) => blockXhtml(b, b.kind === "heading" ? h++ : -1));
  // Above the text, as the story page shows it; the scene description is what a screen reader says.
  if (image) parts.unshift(`<figure class="illustration"><img src="${x(image.href)}" alt="${x(image.alt)}"/></figure>`);
  const body = parts.join("\n");
  return xhtml(`Page ${number}`, lang, `<section class="page" id="page-${number}">\n${body}\n</section>`);
}

function titlePage(story: ExportSource["story"]): string {
  const description = proseParagraphs(story.description).map(paragraph).join("\n");
  return xhtml(
    story.title,
    story.language,
    `<section class="titlepage" epub:type="titlepage">\n<h1 class="title">${x(story.title)}</h1>\n${description}\n</section>`,
  );
}

function codexPage(entries: Parameters<typeof codexGroups>[0], lang: string): string {
  let body = `<section class="codex" epub:type="appendix">\n<h1>${x(CODEX_TITLE)}</h1>\n`;
  for (const group of codexGroups(entries)) {
    body += `<h2>${x(group.title)}</h2>\n<dl>\n`;
    for (const entry of group.entries) {
      body += `<dt>${x(entry.name)}</dt>\n`;
      if (entry.aliases.length) body += `<dd class="aliases">${x(aliasLine(entry.aliases))}</dd>\n`;
      const description = proseParagraphs(entry.description).map(paragraph).join("\n");
      body += `<dd>${description || ""}</dd>\n`;
    }
    body += "</dl>\n";
  }
  return xhtml(CODEX_TITLE, lang, `${body}</section>`);
}

const CONTAINER = `<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="${OEBPS}/content.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
`;

const STYLE = `body { font-family: serif; line-height: 1.5; margin: 0 5%; }
h1.title { text-align: center; margin-top: 30%; }
.titlepage p { text-align: center; font-style: italic; }
p { margin: 0 0 0.8em 0; }
dt { font-weight: bold; margin-top: 0.8em; }
dd.aliases { font-style: italic; }
figure.illustration { margin: 0 0 1em 0; text-align: center; page-break-inside: avoid; }
figure.illustration img { max-width: 100%; max-height: 90vh; }
`;

interface Nav {
  href: string;
  label: string;
}

const href = (entry: TocEntry): string =>
  entry.heading === undefined ? pageFile(entry.page) : `${pageFile(entry.page)}#${headingId(entry.heading)}`;

function navDocument(title: string, lang: string, items: Nav[]): string {
  const list = items.map((i) => `<li><a href="${x(i.href)}">${x(i.label)}</a></li>`).join("\n");
  return xhtml(
    title,
    lang,
    `<nav epub:type="toc" id="toc">\n<h1>Contents</h1>\n<ol>\n${list}\n</ol>\n</nav>\n<nav epub:type="landmarks" id="landmarks" hidden="hidden">\n<ol>\n<li><a epub:type="titlepage" href="title.xhtml">Title page</a></li>\n<li><a epub:type="toc" href="nav.xhtml">Contents</a></li>\n</ol>\n</nav>`,
  );
}

function ncx(id: string, title: string, items: Nav[]): string {
  const points = items
    .map(
      (i, n) =>
        `<navPoint id="nav-${n + 1}" playOrder="${n + 1}"><navLabel><text>${x(i.label)}</text></navLabel><content src="${x(i.href)}"/></navPoint>`,
    )
    .join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">
<head>
<meta name="dtb:uid" content="${x(id)}"/>
<meta name="dtb:depth" content="1"/>
<meta name="dtb:totalPageCount" content="0"/>
<meta name="dtb:maxPageNumber" content="0"/>
</head>
<docTitle><text>${x(title)}</text></docTitle>
<navMap>
${points}
</navMap>
</ncx>
`;
}

function packageDocument(
  story: ExportSource["story"],
  pageCount: number,
  withCodex: boolean,
  modified: Date,
  images: PackageImage[] = [],
): string {
  const id = `urn:uuid:${story.id}`;
  const items = [
    `<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>`,
    `<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>`,
    `<item id="style" href="style.css" media-type="text/css"/>`,
    `<item id="title" href="title.xhtml" media-type="application/xhtml+xml"/>`,
  ];
  const spine = [`<itemref idref="title"/>`];
  for (let n = 1; n <= pageCount; n++) {
    items.push(`<item id="page-${n}" href="${pageFile(n)}" media-type="application/xhtml+xml"/>`);
    spine.push(`<itemref idref="page-${n}"/>`);
  }
  for (const image of images) {
    items.push(`<item id="${image.id}" href="${image.href}" media-type="${image.mediaType}"/>`);
  }
  if (withCodex) {
    items.push(`<item id="codex" href="codex.xhtml" media-type="application/xhtml+xml"/>`);
    spine.push(`<itemref idref="codex"/>`);
  }
  const description = story.description.trim() ? `\n<dc:description>${x(story.description)}</dc:description>` : "";
  return `<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="book-id" xml:lang="${x(story.language)}">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:identifier id="book-id">${x(id)}</dc:identifier>
<dc:title>${x(story.title)}</dc:title>
<dc:language>${x(story.language)}</dc:language>${description}
<meta property="dcterms:modified">${modified.toISOString().replace(/\.\d{3}Z$/, "Z")}</meta>
</metadata>
<manifest>
${items.join("\n")}
</manifest>
<spine toc="ncx">
${spine.join("\n")}
</spine>
</package>
`;
}

/** Page entries queued in the zip and not yet written out: the most the writer holds of the story's text. */
const MAX_QUEUED_PAGES = 16;

/** Starts writing the EPUB; its bytes come out of the returned stream as the reader asks for them. */
export function epubStream(source: ExportSource, toc: TocMode, now = new Date()): Readable {
  const zip = new ZipFile();
  const out = zip.outputStream as Readable;
  const options = { mtime: now, compress: true };
  // Every entry but the pages: a buffer (yazl keeps a buffer entry's deflated bytes until the end; these are few).
  const add = (name: string, text: string) => zip.addBuffer(Buffer.from(text, "utf8"), name, options);
  // Pages: a stream each, which yazl deflates when its turn comes and then lets go of. The writer waits while
  // MAX_QUEUED_PAGES are queued, so it reads the database only as fast as the download is read.
  let queued = 0;
  let wake = () => {};
  const addPage = (name: string, text: string) => {
    const stream = Readable.from([Buffer.from(text, "utf8")], { objectMode: false });
    queued += 1;
    stream.once("end", () => {
      queued -= 1;
      wake();
    });
    zip.addReadStream(stream, name, options);
  };
  // An image entry waits in the queue like a page; the next image is read from its store only once the previous
  // one has been written out, so one image's bytes are held at a time whatever the story.
  let imageQueued = false;
  const addImage = (name: string, bytes: Uint8Array) => {
    const stream = Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]);
    queued += 1;
    imageQueued = true;
    stream.once("end", () => {
      queued -= 1;
      imageQueued = false;
      wake();
    });
    // Stored: PNG, JPEG and WebP are compressed already.
    zip.addReadStream(stream, name, { mtime: now, compress: false });
  };
  const room = async (forImage = false) => {
    while ((queued >= MAX_QUEUED_PAGES || (forImage && imageQueued)) && !out.destroyed)
      await new Promise<void>((resolve) => (wake = resolve));
  };
  out.once("close", () => wake());

  void (async () => {
    const { story } = source;
    // Stored, sizes in the local header, no extra field (yazl adds its timestamp field only to the central
    // directory, and not at all with forceDosTimestamp): what the OCF asks of the first entry.
    zip.addBuffer(Buffer.from("application/epub+zip", "ascii"), "mimetype", {
      mtime: now,
      compress: false,
      forceDosTimestamp: true,
    });
    add("META-INF/container.xml", CONTAINER);
    add(`${OEBPS}/style.css`, STYLE);
    add(`${OEBPS}/title.xhtml`, titlePage(story));
    const contents = new TocBuilder(toc);
    const images: PackageImage[] = [];
    let pageCount = 0;
    for await (const page of source.pages()) {
      if (out.destroyed) return;
      const blocks = parseBlocks(page.content);
      contents.addPage(page.number, headingsOf(blocks));
      let pageImage: PageImage | undefined;
      if (page.illustration) {
        await room(true);
        if (out.destroyed) return;
        const image = await source.image(page.illustration);
        if (image) {
          const href = imageFile(page.number, image);
          addImage(`${OEBPS}/${href}`, image.bytes);
          images.push({ id: `img-${page.number}`, href, mediaType: image.contentType });
          pageImage = { href, alt: page.illustration.sceneDescription.replace(/\s+/g, " ").trim() };
        }
      }
      await room();
      if (out.destroyed) return;
      addPage(`${OEBPS}/${pageFile(page.number)}`, pageXhtml(page.number, blocks, story.language, pageImage));
      pageCount = page.number;
    }
    const codex = await source.codex();
    if (codex) add(`${OEBPS}/codex.xhtml`, codexPage(codex, story.language));
    const nav: Nav[] = [
      { href: "title.xhtml", label: "Title page" },
      ...contents.entries().map((e) => ({ href: href(e), label: e.label })),
      ...(codex ? [{ href: "codex.xhtml", label: CODEX_TITLE }] : []),
    ];
    add(`${OEBPS}/nav.xhtml`, navDocument(story.title, story.language, nav));
    add(`${OEBPS}/toc.ncx`, ncx(`urn:uuid:${story.id}`, story.title, nav));
    add(`${OEBPS}/content.opf`, packageDocument(story, pageCount, codex !== null, now, images));
    zip.end();
  })().catch((error: unknown) => {
    // Headers are sent: the download can only be cut short (the client sees a broken file, never a partial "done").
    log("error", "export failed while streaming", { format: "epub", storyId: source.story.id, error });
    out.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  return out;
}
