import type { Heading, Root, RootContent } from "mdast";
import { toString as mdastText } from "mdast-util-to-string";
import remarkParse from "remark-parse";
import { unified } from "unified";
import type { ManuscriptBlock } from "./document";

/**
 * Markdown through remark (mdast): headings are headings, a thematic break (`---`, `***`) is a page break, every
 * other top-level node a paragraph of its text (lists and quotes keep their lines, formatting marks are dropped).
 */
export function markdownBlocks(source: string): ManuscriptBlock[] {
  const tree = unified().use(remarkParse).parse(source) as Root;
  const blocks: ManuscriptBlock[] = [];
  const visit = (node: RootContent) => {
    if (node.type === "heading") {
      blocks.push({ type: "heading", depth: (node as Heading).depth, text: mdastText(node) });
    } else if (node.type === "thematicBreak") {
      blocks.push({ type: "break" });
    } else if (node.type === "list") {
      for (const item of node.children) blocks.push({ type: "paragraph", text: `- ${mdastText(item)}` });
    } else if (node.type === "code" || node.type === "html") {
      blocks.push({ type: "paragraph", text: node.value });
    } else if (node.type !== "definition" && node.type !== "yaml") {
      const text = mdastText(node, { includeImageAlt: false });
      if (text.trim()) blocks.push({ type: "paragraph", text });
    }
  };
  for (const node of tree.children) visit(node);
  return blocks;
}
