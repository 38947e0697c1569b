/**
 * Finding the names of a story's codex entries in a text: the target page, its neighbours and the instruction.
 *
 * Matching is done on a folded copy of the text (NFKC, then case-folded) so that "ÅSA", "åsa" and a full-width "Ａｓａ"
 * all find "Åsa"; indexes are mapped back to the original text. Scripts written with spaces between words match whole
 * words only ("Mara" is not found in "Maranatha", but is in "Mara's"); scripts written without spaces (Chinese,
 * Japanese, Thai, Lao, Khmer, Myanmar) match as substrings, since a word boundary cannot be seen there. At one place
 * the longest name wins ("Mara Quinn" over "Mara") and a match consumes its characters, so a shorter name inside a
 * longer match is not counted again.
 */

export interface MentionCandidate {
  id: string;
  /** The entry's name and aliases. */
  names: readonly string[];
}

export interface Mention {
  id: string;
  /** The name or alias as the candidate spells it (not as the text does). */
  name: string;
  /** UTF-16 offset of the match in the original text. */
  index: number;
}

export interface MentionMatcher {
  find(text: string): Mention[];
}

/**
 * Full case folding is approximated by upper- then lower-casing: unlike toLowerCase alone it folds "ß" with "ss" and
 * the final sigma with σ, which is what a reader would call the same name.
 */
function fold(text: string): string {
  return text.normalize("NFKC").toUpperCase().toLowerCase();
}

/** The key under which two spellings of a name are the same name: NFKC, case-folded, whitespace collapsed, trimmed. */
export function normalizeNameKey(name: string): string {
  return fold(name).replace(/\s+/gu, " ").trim();
}

const NO_SPACE_SCRIPTS =
  "\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Thai}\\p{Script=Lao}\\p{Script=Khmer}\\p{Script=Myanmar}";
const NO_SPACE_CHAR = new RegExp(`[${NO_SPACE_SCRIPTS}]`, "u");
const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;
/** A letter, digit or mark of a script written with spaces: the characters a whole-word match must not touch. */
const SPACED_WORD = `(?:(?![${NO_SPACE_SCRIPTS}])[\\p{L}\\p{N}\\p{M}])`;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the fast path's test
const ASCII = /^[\u0000-\u007f]*$/;

/**
 * Escapes the characters special in a pattern. Not "-": under the `u` flag an escaped "-" outside a character class
 * is a syntax error (a name like "Jean-Luc" would break the whole matcher), and unescaped it is literal there.
 */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** Whether a whole-word boundary applies at this edge of a name: only for a letter or digit of a spaced script. */
function needsBoundary(char: string | undefined): boolean {
  return char !== undefined && WORD_CHAR.test(char) && !NO_SPACE_CHAR.test(char);
}

/** The folded text with, for each of its UTF-16 units, the offset in the original text it came from. */
function foldWithOffsets(text: string): { folded: string; offsets: number[] | null } {
  if (ASCII.test(text)) return { folded: text.toLowerCase(), offsets: null };
  let folded = "";
  const offsets: number[] = [];
  // A base character with its combining marks is folded as one piece, so NFKC can compose "e\u0301" into "é".
  for (const piece of text.matchAll(/\P{M}\p{M}*|\p{M}+/gu)) {
    const f = fold(piece[0]);
    folded += f;
    for (let i = 0; i < f.length; i++) offsets.push(piece.index);
  }
  offsets.push(text.length);
  return { folded, offsets };
}

/**
 * Compiles the candidates' names once into one pattern; `find` can then be called for many texts. Names that fold to
 * nothing are ignored. Two candidates sharing a name (the codex forbids it, this matcher does not) are both reported.
 */
export function createMentionMatcher(candidates: readonly MentionCandidate[]): MentionMatcher {
  const byKey = new Map<string, { id: string; name: string }[]>();
  for (const candidate of candidates) {
    for (const name of candidate.names) {
      const key = normalizeNameKey(name);
      if (key === "") continue;
      const owners = byKey.get(key) ?? [];
      if (!owners.some((o) => o.id === candidate.id)) owners.push({ id: candidate.id, name });
      byKey.set(key, owners);
    }
  }
  if (byKey.size === 0) return { find: () => [] };

  // Longest first: a regex alternation takes the first alternative that matches, so at one place the longest name
  // wins. Ties are broken by the key so the pattern (and the result) does not depend on the order of the input.
  const keys = [...byKey.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
  const alternatives = keys.map((key) => {
    const chars = [...key];
    const body = key.split(" ").map(escapeRegExp).join("\\s+");
    const before = needsBoundary(chars[0]) ? `(?<!${SPACED_WORD})` : "";
    const after = needsBoundary(chars[chars.length - 1]) ? `(?!${SPACED_WORD})` : "";
    return `${before}${body}${after}`;
  });
  const pattern = new RegExp(`(?:${alternatives.join("|")})`, "gu");

  return {
    find(text: string): Mention[] {
      if (text === "") return [];
      const { folded, offsets } = foldWithOffsets(text);
      const found: Mention[] = [];
      for (const match of folded.matchAll(pattern)) {
        const owners = byKey.get(match[0].replace(/\s+/gu, " "));
        if (!owners) continue;
        const index = offsets ? offsets[match.index]! : match.index;
        for (const owner of owners) found.push({ id: owner.id, name: owner.name, index });
      }
      return found;
    },
  };
}
