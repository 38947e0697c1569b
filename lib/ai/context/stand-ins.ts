/**
 * Deterministic stand-ins: what represents a page without a summary, or a run of pages without a stored roll-up.
 * DECISIONS.md "Story memory": the first sentences of what they cover, cut to fit, so a prompt never waits for an AI
 * summary.
 */

/** Characters of a page's stand-in when it has no summary: about a summary's length. */
export const STAND_IN_CHARS = 320;
/** Characters of one page's lead sentence inside a roll-up. */
export const LEAD_CHARS = 160;

const SENTENCE_END = /[.!?…。！？]["'”’»)\]]*(?:\s+|$)|[。！？]/gu;

/**
 * The first sentences of `text` that fit in `maxChars` (whitespace collapsed). A first sentence longer than that is
 * cut at a word boundary and marked with "…". Only the beginning of the text is looked at, so this is cheap for
 * a 100,000-character page.
 */
export function firstSentences(text: string, maxChars: number): string {
  const window = maxChars * 2 + 200;
  const head = text.slice(0, window).replace(/\s+/gu, " ").trim();
  if (head.length <= maxChars && text.length <= window) return head;
  let end = 0;
  for (const match of head.matchAll(SENTENCE_END)) {
    const stop = match.index + match[0].trimEnd().length;
    if (stop > maxChars) break;
    end = stop;
  }
  if (end > 0) return head.slice(0, end);
  const cut = head.slice(0, maxChars - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > maxChars / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** Evenly spread picks of `count` items among `size`, first one included: which pages a roll-up quotes. */
export function spreadPicks(size: number, count: number): number[] {
  const k = Math.min(size, count);
  return Array.from({ length: k }, (_v, j) => Math.floor((j * size) / k));
}
