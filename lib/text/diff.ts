/**
 * A small word diff for showing what an AI job changed. Longest common subsequence over tokens (words and the
 * whitespace between them), after trimming the common prefix and suffix, which is where most of a revision's text
 * usually is. The LCS table is bounded: past it, the diff falls back to lines, then to "all replaced", so a
 * 100,000-character page can never make a request slow.
 */
type DiffOp = "equal" | "insert" | "delete";
export interface DiffPart {
  op: DiffOp;
  text: string;
}

const MAX_CELLS = 4_000_000;

function tokenizeWords(text: string): string[] {
  return text.match(/\s+|[^\s]+/g) ?? [];
}

function tokenizeLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+/g) ?? [];
}

export function diffWords(before: string, after: string): DiffPart[] {
  const words = diffTokens(tokenizeWords(before), tokenizeWords(after));
  if (words) return words;
  const lines = diffTokens(tokenizeLines(before), tokenizeLines(after));
  if (lines) return lines;
  return merge([
    { op: "delete", text: before },
    { op: "insert", text: after },
  ]);
}

export function diffLines(before: string, after: string): DiffPart[] {
  return (
    diffTokens(tokenizeLines(before), tokenizeLines(after)) ??
    merge([
      { op: "delete", text: before },
      { op: "insert", text: after },
    ])
  );
}

/** Null when the two token lists are too far apart for the bounded table. */
function diffTokens(a: string[], b: string[]): DiffPart[] | null {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const n = midA.length;
  const m = midB.length;
  if ((n + 1) * (m + 1) > MAX_CELLS) return null;

  // lcs[i][j] = LCS length of midA[i..] and midB[j..], in one flat array.
  const width = m + 1;
  const lcs = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * width + j] =
        midA[i] === midB[j]
          ? lcs[(i + 1) * width + j + 1]! + 1
          : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }
  const parts: DiffPart[] = [];
  if (start > 0) parts.push({ op: "equal", text: a.slice(0, start).join("") });
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && midA[i] === midB[j]) {
      parts.push({ op: "equal", text: midA[i]! });
      i++;
      j++;
    } else if (j < m && (i >= n || lcs[i * width + j + 1]! >= lcs[(i + 1) * width + j]!)) {
      parts.push({ op: "insert", text: midB[j]! });
      j++;
    } else {
      parts.push({ op: "delete", text: midA[i]! });
      i++;
    }
  }
  if (endA < a.length) parts.push({ op: "equal", text: a.slice(endA).join("") });
  return merge(parts);
}

/** Joins neighbours of the same kind and drops empty parts; deletions are put before insertions in a changed run. */
function merge(parts: DiffPart[]): DiffPart[] {
  const out: DiffPart[] = [];
  let pendingDelete = "";
  let pendingInsert = "";
  const flush = () => {
    if (pendingDelete) out.push({ op: "delete", text: pendingDelete });
    if (pendingInsert) out.push({ op: "insert", text: pendingInsert });
    pendingDelete = "";
    pendingInsert = "";
  };
  for (const part of parts) {
    if (!part.text) continue;
    if (part.op === "delete") pendingDelete += part.text;
    else if (part.op === "insert") pendingInsert += part.text;
    else {
      flush();
      const last = out.at(-1);
      if (last?.op === "equal") last.text += part.text;
      else out.push({ ...part });
    }
  }
  flush();
  return out;
}

/** The texts a diff came from, for checking that it is complete. */
export function applyDiff(parts: DiffPart[]): { before: string; after: string } {
  return {
    before: parts
      .filter((p) => p.op !== "insert")
      .map((p) => p.text)
      .join(""),
    after: parts
      .filter((p) => p.op !== "delete")
      .map((p) => p.text)
      .join(""),
  };
}

export function diffStats(parts: DiffPart[]): { inserted: number; deleted: number } {
  let inserted = 0;
  let deleted = 0;
  for (const p of parts) {
    const words = tokenizeWords(p.text).filter((t) => t.trim() !== "").length;
    if (p.op === "insert") inserted += words;
    if (p.op === "delete") deleted += words;
  }
  return { inserted, deleted };
}
