import { limits } from "../limits";
import type { ManuscriptBlock } from "./document";
import type { ImportOptions } from "./schema";

export interface SplitResult {
  pages: string[];
  /** Pages that were still over the page limit after the chosen split and were cut again (at paragraphs, then sentences, then words). */
  splitFurther: number;
}

/**
 * How a heading is written on its page: `#` for the chapter level, `##` below it — the lines the exporters read as
 * chapter headings (lib/stories/export), so an imported book exports with the same table of contents.
 */
function headingLine(depth: number, chapterDepth: number): string {
  return depth <= chapterDepth ? "# " : "## ";
}

function blockText(block: ManuscriptBlock, chapterDepth: number): string {
  if (block.type === "break") return "";
  if (block.type === "heading")
    return `${headingLine(block.depth, chapterDepth)}${block.text.replace(/\s+/g, " ").trim()}`;
  return block.text.trim();
}

/** Cuts text over `max` characters at the latest paragraph, line, sentence or word boundary that fits; never drops text. */
export function cutToFit(text: string, max: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    let at = -1;
    for (const pattern of [/\n\n/g, /\n/g, /[.!?…]["'”’)\]]*\s/g, /\s/g]) {
      let last = -1;
      for (const match of window.matchAll(pattern)) {
        const end = match.index + match[0].length;
        if (end <= max && end > max / 4) last = end;
      }
      if (last > 0) {
        at = last;
        break;
      }
    }
    if (at <= 0) at = max; // One unbroken run longer than a page: cut mid-word rather than lose anything.
    out.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  if (rest.trim()) out.push(rest);
  return out;
}

/**
 * Splits a manuscript into page texts as the author chose: at each chapter-level heading (the highest level the
 * body uses), at each page break, or by length (paragraphs packed up to the target; a heading starts a new page
 * once the current one is half full). Any page still over the page limit is cut again, never truncated.
 */
export function splitManuscript(
  blocks: ManuscriptBlock[],
  options: ImportOptions,
  pageMax: number = limits.pageMax,
): SplitResult {
  const depths = blocks.flatMap((b) => (b.type === "heading" ? [b.depth] : []));
  const chapterDepth = depths.length ? Math.min(...depths) : 1;
  const groups: string[][] = [[]];
  let size = 0;
  const startPage = () => {
    if (groups.at(-1)!.length) groups.push([]);
    size = 0;
  };
  const target = Math.min(options.targetLength, pageMax);
  for (const block of blocks) {
    if (block.type === "break") {
      if (options.mode === "breaks") startPage();
      continue;
    }
    const text = blockText(block, chapterDepth);
    if (!text) continue;
    if (options.mode === "headings" && block.type === "heading" && block.depth <= chapterDepth) startPage();
    if (options.mode === "length") {
      const wouldBe = size + (size ? 2 : 0) + text.length;
      if (size > 0 && (wouldBe > target || (block.type === "heading" && size >= target / 2))) startPage();
    }
    groups.at(-1)!.push(text);
    size += (size ? 2 : 0) + text.length;
  }
  const pages: string[] = [];
  let splitFurther = 0;
  const limit = options.mode === "length" ? target : pageMax;
  for (const group of groups) {
    if (!group.length) continue;
    const text = group.join("\n\n");
    if (text.length <= limit) {
      pages.push(text);
      continue;
    }
    if (text.length > pageMax) splitFurther += 1;
    pages.push(...cutToFit(text, limit));
  }
  return { pages, splitFurther };
}
