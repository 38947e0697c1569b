import type { Element, Root, RootContent } from "hast";
import { toString as hastText } from "hast-util-to-string";
import mammoth from "mammoth";
import rehypeParse from "rehype-parse";
import { unified } from "unified";
import yauzl from "yauzl";
import { AppError } from "@/lib/errors";
import { limits } from "../limits";
import type { ManuscriptBlock } from "./document";
import { formatMb } from "./sniff";

const MAX_ENTRIES = 10_000;

const corrupt = (cause?: unknown) => new AppError("IMPORT_CORRUPT", undefined, undefined, { cause });
const bomb = () =>
  new AppError(
    "IMPORT_ZIP_BOMB",
    `This document unpacks to more than ${formatMb(limits.importUnpackedMax)}, far more than a manuscript holds, so it was not opened.`,
    { limitBytes: limits.importUnpackedMax },
  );

function openZip(bytes: Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    // validateEntrySizes (default on): an entry that inflates to more than its directory entry says fails its stream.
    yauzl.fromBuffer(bytes, { lazyEntries: true, validateEntrySizes: true }, (error, zip) =>
      error || !zip ? reject(corrupt(error)) : resolve(zip),
    );
  });
}

/**
 * Checks a .docx before mammoth unzips it (mammoth inflates every part in memory): the central directory must be
 * readable, hold no encrypted entry and declare at most `importUnpackedMax` bytes in all; then every entry is inflated
 * here as a stream, counted and thrown away, so that a directory lying about its sizes is caught too (yauzl fails an
 * entry that inflates past its declared size). Memory stays at one chunk whatever the archive holds.
 */
export async function checkDocxArchive(
  bytes: Buffer,
  { unpackedMax = limits.importUnpackedMax, inflate = true }: { unpackedMax?: number; inflate?: boolean } = {},
): Promise<void> {
  const zip = await openZip(bytes);
  let declared = 0;
  let entries = 0;
  let hasDocument = false;
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on("error", (error) => reject(corrupt(error)));
      zip.on("end", () => resolve());
      zip.on("entry", (entry: yauzl.Entry) => {
        entries += 1;
        declared += entry.uncompressedSize;
        if (entries > MAX_ENTRIES || declared > unpackedMax) return reject(bomb());
        if (entry.isEncrypted()) return reject(new AppError("IMPORT_ENCRYPTED"));
        if (entry.fileName === "word/document.xml") hasDocument = true;
        // Without inflating (the quick check when an import is accepted) only the directory is read.
        if (!inflate || entry.fileName.endsWith("/")) return zip.readEntry();
        zip.openReadStream(entry, (error, stream) => {
          if (error || !stream) return reject(corrupt(error));
          stream.on("error", (e) => reject(/too many bytes|uncompressedSize/i.test(String(e)) ? bomb() : corrupt(e)));
          stream.on("end", () => zip.readEntry());
          stream.resume();
        });
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  if (!hasDocument) throw new AppError("IMPORT_WRONG_TYPE", "This .docx has no Word document inside it.");
}

// Word's page break becomes <hr>; the Title and Subtitle styles are marked so the title and description are found.
const STYLE_MAP = [
  "br[type='page'] => hr",
  "p[style-name='Title'] => h1.doc-title:fresh",
  "p[style-name='Subtitle'] => p.doc-subtitle:fresh",
];

export interface DocxContent {
  blocks: ManuscriptBlock[];
  title: string | null;
  subtitle: string | null;
}

/** A checked .docx through mammoth (HTML with the style map above) and rehype (HTML to a tree). */
export async function docxBlocks(bytes: Buffer): Promise<DocxContent> {
  await checkDocxArchive(bytes);
  let html: string;
  try {
    html = (await mammoth.convertToHtml({ buffer: bytes }, { styleMap: STYLE_MAP })).value;
  } catch (error) {
    throw corrupt(error);
  }
  const tree = unified().use(rehypeParse, { fragment: true }).parse(html) as Root;
  const blocks: ManuscriptBlock[] = [];
  let title: string | null = null;
  let subtitle: string | null = null;
  const classes = (el: Element) => {
    const value = el.properties?.className;
    return Array.isArray(value) ? value.map(String) : [];
  };
  const visit = (node: RootContent) => {
    if (node.type !== "element") {
      if (node.type === "text" && node.value.trim()) blocks.push({ type: "paragraph", text: node.value });
      return;
    }
    const tag = node.tagName;
    const heading = /^h([1-6])$/.exec(tag);
    if (tag === "hr") {
      blocks.push({ type: "break" });
    } else if (heading && classes(node).includes("doc-title") && title === null) {
      title = hastText(node).trim() || null;
    } else if (heading) {
      blocks.push({ type: "heading", depth: Number(heading[1]), text: hastText(node) });
    } else if (tag === "p" && classes(node).includes("doc-subtitle") && subtitle === null) {
      subtitle = hastText(node).trim() || null;
    } else if (tag === "ul" || tag === "ol" || tag === "table") {
      for (const child of node.children) if (child.type === "element") visit(child);
    } else if (tag === "li" || tag === "tr") {
      const text = hastText(node).trim();
      if (text) blocks.push({ type: "paragraph", text: tag === "li" ? `- ${text}` : text });
    } else {
      const text = hastText(node);
      if (text.trim()) blocks.push({ type: "paragraph", text });
    }
  };
  for (const node of tree.children) visit(node);
  return { blocks, title, subtitle };
}
