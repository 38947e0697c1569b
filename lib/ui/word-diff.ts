import { diffWords } from "diff";
import { countWords } from "./format";

export interface DiffPart {
  kind: "same" | "added" | "removed";
  text: string;
}

export interface WordDiff {
  parts: DiffPart[];
  addedWords: number;
  removedWords: number;
}

/**
 * Word-level changes from `before` to `after` (jsdiff's Myers diff, whitespace kept in the parts so the text reads
 * as written). Null when two very different long texts would take too long to compare: the caller then shows them
 * side by side instead.
 */
export function wordDiff(before: string, after: string, timeoutMs = 400): WordDiff | null {
  const changes = diffWords(before, after, { timeout: timeoutMs });
  if (!changes) return null;
  let addedWords = 0;
  let removedWords = 0;
  const parts = changes.map((change): DiffPart => {
    // Counted as a reader counts words: jsdiff's token count includes punctuation.
    if (change.added) addedWords += countWords(change.value);
    if (change.removed) removedWords += countWords(change.value);
    return { kind: change.added ? "added" : change.removed ? "removed" : "same", text: change.value };
  });
  return { parts, addedWords, removedWords };
}
