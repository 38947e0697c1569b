import { diffArrays } from "diff";

/**
 * A suggestion taken paragraph by paragraph. Both texts are cut into paragraphs that keep their trailing blank lines,
 * so joining the pieces gives back each text exactly; the paragraph diff groups what differs into changes (a run of
 * removed paragraphs and the run that replaces them). Taking some changes and leaving the others gives a text built
 * only from the two — every change taken gives the suggestion, none gives the page. Client-safe: the panel shows
 * the same changes the server applies.
 */

export interface ParagraphChange {
  /** Position among the changes, what a request names. */
  index: number;
  before: string;
  after: string;
}

type Piece = { kind: "same"; text: string } | { kind: "change"; change: ParagraphChange };

/** Paragraphs with the blank lines that end them: "A\n\nB" → ["A\n\n", "B"]. Joined, they are the text again. */
export function splitParagraphs(text: string): string[] {
  const out: string[] = [];
  let last = 0;
  for (const separator of text.matchAll(/\n[ \t]*\n(?:[ \t]*\n)*/g)) {
    const end = separator.index + separator[0].length;
    out.push(text.slice(last, end));
    last = end;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function pieces(current: string, suggested: string): Piece[] {
  const parts = diffArrays(splitParagraphs(current), splitParagraphs(suggested));
  const out: Piece[] = [];
  let index = 0;
  let open: ParagraphChange | null = null;
  for (const part of parts) {
    const text = part.value.join("");
    if (!part.added && !part.removed) {
      open = null;
      out.push({ kind: "same", text });
      continue;
    }
    if (!open) {
      open = { index: index++, before: "", after: "" };
      out.push({ kind: "change", change: open });
    }
    if (part.removed) open.before += text;
    else open.after += text;
  }
  return out;
}

export function paragraphChanges(current: string, suggested: string): ParagraphChange[] {
  return pieces(current, suggested).flatMap((p) => (p.kind === "change" ? [p.change] : []));
}

/** The page with the changes in `taken` applied and the others left as they are. */
export function takeParagraphChanges(current: string, suggested: string, taken: ReadonlySet<number>): string {
  return pieces(current, suggested)
    .map((p) => (p.kind === "same" ? p.text : taken.has(p.change.index) ? p.change.after : p.change.before))
    .join("");
}
