/** A manuscript as the splitter sees it, whatever its format: headings, paragraphs and explicit page breaks. */
export type ManuscriptBlock =
  | { type: "heading"; depth: number; text: string }
  | { type: "paragraph"; text: string }
  | { type: "break" };

export interface Manuscript {
  title: string | null;
  description: string | null;
  blocks: ManuscriptBlock[];
}

const clean = (text: string) => text.replace(/\s+/g, " ").trim();

/**
 * Title and description from the document itself: a leading heading that no later heading outranks is the title
 * (a Word "Title" paragraph arrives as such a heading); the paragraphs between it and the next heading or break are
 * the description — only when something follows them, otherwise they are the story's only text.
 */
export function withTitle(blocks: ManuscriptBlock[], explicitTitle: string | null = null): Manuscript {
  let rest = blocks.filter((b) => b.type !== "paragraph" || b.text.trim() !== "");
  // Leading breaks make no page.
  while (rest[0]?.type === "break") rest = rest.slice(1);
  let title = explicitTitle ? clean(explicitTitle) : null;
  const first = rest[0];
  if (!title && first?.type === "heading") {
    const outranked = rest.slice(1).some((b) => b.type === "heading" && b.depth <= first.depth);
    if (!outranked) {
      title = clean(first.text);
      rest = rest.slice(1);
    }
  } else if (title && first?.type === "heading" && clean(first.text) === title) {
    rest = rest.slice(1);
  }
  let description: string | null = null;
  if (title) {
    const end = rest.findIndex((b) => b.type !== "paragraph");
    if (end > 0) {
      description = rest
        .slice(0, end)
        .map((b) => (b.type === "paragraph" ? b.text.trim() : ""))
        .join("\n\n");
      rest = rest.slice(end);
    }
  }
  return { title: title || null, description, blocks: rest };
}

/** Whether there is any text at all (an empty document is refused with IMPORT_EMPTY). */
export function hasText(manuscript: Manuscript): boolean {
  return manuscript.blocks.some((b) => b.type !== "break" && b.text.trim() !== "");
}
