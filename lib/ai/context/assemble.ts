import { countTokens } from "../tokens";
import { prefixTokens, scaleTokens, tokensOf, type TokenCounting } from "./counting";
import { ContextBudgetError } from "./errors";
import { createMentionMatcher } from "./mentions";
import { firstSentences, LEAD_CHARS, spreadPicks, STAND_IN_CHARS } from "./stand-ins";

/**
 * Context assembly: what of a long document goes into the prompt for writing or revising one of its sections
 * ("pages"), within a token budget. Pure and deterministic; generic over documents of ordered sections (lib/ai knows
 * nothing of stories).
 *
 * Priority, each step only with what the earlier ones left:
 * 1. the instruction and the target page, whole — if these alone exceed the budget, ContextBudgetError;
 * 2. a reserve so that every other page can be represented at least by one roll-up per side (below);
 * 3. the neighbours (`neighbours` pages on each side, nearest first), whole;
 * 4. memory (codex) entries: `always`, then those mentioned in the instruction, the target or its neighbours;
 * 5. every other page, represented as finely as the budget allows, nearest first: a roll-up per side to begin with,
 *    split in two (at aligned boundaries: 512, 256, ...) nearest first, down to one summary per page; a run with a
 *    fresh stored roll-up written by the AI (`rollups`, rollups.ts) is represented by it, any other by the stand-in
 *    (first sentences of pages across it), so a prompt never waits for a roll-up; then, when
 *    every page has its summary, the nearest pages whole. Far pages end up in coarse roll-ups, near ones as
 *    summaries: a 1,000-page story is represented end to end with a few dozen parts.
 * When the whole document fits whole (with its memory entries), it is sent whole.
 *
 * Token counts come from the stored o200k counts (scaled for other models, see counting.ts); headers and the per-entry
 * layout are counted with fixed upper bounds. An omitted page costs nothing: a roll-up covers a range of pages for the
 * price of one part, so the prompt does not grow with the number of pages.
 */

export interface ContextSectionInput {
  id: string;
  text: string;
  /** Stored o200k count of `text`; null: counted here. */
  tokenCount: number | null;
  /** Its summary, when there is one. A stale one (older than the text) still beats the first sentences. */
  summary?: { text: string; tokenCount: number | null; stale?: boolean } | null;
}

/**
 * A roll-up written by the AI and stored (lib/ai/context/rollups.ts), still fresh: the caller passes only those whose
 * fingerprint matches the summaries now. `from`/`to` are 1-based page numbers, inclusive.
 */
export interface StoredRollupInput {
  from: number;
  to: number;
  text: string;
  /** Stored o200k count of `text`; null: counted here. */
  tokenCount: number | null;
}

export type MemoryActivation = "always" | "mentioned" | "never";

export interface MemoryEntryInput {
  id: string;
  name: string;
  kind: string;
  description: string;
  activation: MemoryActivation;
  /** Stored o200k count of the entry as rendered (name, aliases, description); null: counted here. */
  tokenCount: number | null;
  /** The name and its aliases: what a mention is matched against. */
  names: readonly string[];
}

export interface AssemblyInput {
  sections: readonly ContextSectionInput[];
  targetId: string;
  /** Pages on each side of the target kept whole when they fit. Default 1. */
  neighbours?: number;
  instruction: string;
  /** Tokens of everything fixed around the context (template text, document title...), in the counting mode. */
  fixedTokens: number;
  memory?: readonly MemoryEntryInput[];
  /** Fresh stored roll-ups; a run without one is represented by the stand-in. */
  rollups?: readonly StoredRollupInput[];
  budgetTokens: number;
  counting: TokenCounting;
}

export type ContextPartKind = "target" | "neighbour" | "page" | "summary" | "rollup";

/** One part of the context in reading order. `from`/`to` are 1-based page numbers, inclusive. */
export interface ContextPart {
  kind: ContextPartKind;
  from: number;
  to: number;
  text: string;
  /**
   * Where the text comes from: the page itself, its summary (stale or not), a stored roll-up written by the AI
   * (`ai-rollup`), or a deterministic stand-in (first sentences). Ranges are aligned to absolute page positions so
   * they recur from one prompt to the next, which is what lets a stored roll-up replace a roll-up stand-in.
   */
  source: "text" | "summary" | "stale-summary" | "ai-rollup" | "stand-in";
  tokens: number;
}

export interface MemoryPart {
  id: string;
  name: string;
  kind: string;
  aliases: string[];
  description: string;
  /** "always", or "mentioned: Mara, page 41". */
  reason: string;
  tokens: number;
}

export type BreakdownKind = "template" | "instruction" | "codex" | ContextPartKind;

export interface BreakdownSection {
  kind: BreakdownKind;
  label: string;
  pages: { from: number; to: number } | null;
  reason: string;
  tokens: number;
  /** For a roll-up: written by the AI, or the stand-in (first sentences) while there is no fresh AI roll-up. */
  source?: "ai" | "stand-in";
}

export interface LeftOutItem {
  kind: "codex" | "pages";
  label: string;
  reason: string;
  pages: { from: number; to: number } | null;
}

/** What the prompt preview shows and a job records. */
export interface ContextBreakdown {
  sections: BreakdownSection[];
  leftOut: LeftOutItem[];
  totalTokens: number;
  budgetTokens: number;
  counting: TokenCounting;
  pageCount: number;
  /** Pages present by their text, their summary or a roll-up. */
  pagesRepresented: number;
}

export interface AssembledContext {
  targetIndex: number;
  parts: ContextPart[];
  memory: MemoryPart[];
  breakdown: ContextBreakdown;
}

/** Upper bounds, in o200k tokens, of the layout around each part (measured: a 5-digit page header is 17). */
const HEADER_TOKENS = 20;
const MEMORY_ENTRY_OVERHEAD = 14;
/** "(p. 1234) " before each quoted lead of a roll-up. */
const PICK_OVERHEAD = 8;
/** Pages quoted by one roll-up stand-in. */
const ROLLUP_PICKS = 3;

interface Leaf {
  kind: "summary" | "page";
  text: string;
  source: ContextPart["source"];
  tokens: number;
}

interface RollupNode {
  a: number;
  b: number;
  picks: number;
  tokens: number;
  /** The stored AI roll-up of exactly [a, b) that represents it, instead of the stand-in's picks. */
  stored?: StoredRollupInput;
}

/** The split of [a, b) at its highest aligned boundary (a multiple of the largest power of two inside it). */
function splitPoint(a: number, b: number): number {
  const last = b - 1;
  const mask = 2 ** (31 - Math.clz32(a ^ last));
  return last - (last % mask);
}

const pageRange = (a: number, b: number) => ({ from: a + 1, to: b });

export function assembleContext(input: AssemblyInput): AssembledContext {
  const { sections, counting, budgetTokens } = input;
  const n = sections.length;
  const t = sections.findIndex((s) => s.id === input.targetId);
  if (t < 0) throw new Error(`target ${input.targetId} is not among the sections`);
  const neighbours = Math.max(0, Math.floor(input.neighbours ?? 1));
  const header = scaleTokens(HEADER_TOKENS, counting);
  const pickOverhead = scaleTokens(PICK_OVERHEAD, counting);

  const rawMemo: (number | undefined)[] = [];
  const raw = (i: number): number => {
    rawMemo[i] ??= sections[i]!.tokenCount ?? countTokens(sections[i]!.text);
    return rawMemo[i]!;
  };
  const whole = (i: number) => scaleTokens(raw(i), counting);

  const summaryMemo: (Leaf | undefined)[] = [];
  /** A page's cheapest fine representation: its summary (or stand-in), or its text when that is not longer. */
  const leaf = (i: number): Leaf => {
    const cached = summaryMemo[i];
    if (cached) return cached;
    const section = sections[i]!;
    const summary = section.summary && section.summary.text.trim() !== "" ? section.summary : null;
    let result: Leaf;
    if (summary) {
      result = {
        kind: "summary",
        text: summary.text,
        source: summary.stale ? "stale-summary" : "summary",
        tokens: header + tokensOf(summary.text, counting, summary.tokenCount),
      };
    } else {
      const text = firstSentences(section.text, STAND_IN_CHARS);
      const tokens = header + scaleTokens(prefixTokens(text.length, section.text.length, raw(i)), counting);
      result = { kind: "summary", text, source: "stand-in", tokens };
    }
    if (header + whole(i) <= result.tokens) {
      result = { kind: "page", text: section.text, source: "text", tokens: header + whole(i) };
    }
    summaryMemo[i] = result;
    return result;
  };

  const leadMemo: ({ text: string; tokens: number } | undefined)[] = [];
  /** The first sentence of a page's summary (or of its text), as quoted in a roll-up. */
  const lead = (i: number) => {
    const cached = leadMemo[i];
    if (cached) return cached;
    const section = sections[i]!;
    const summary = section.summary && section.summary.text.trim() !== "" ? section.summary : null;
    const source = summary?.text ?? section.text;
    const sourceTokens = summary ? (summary.tokenCount ?? countTokens(summary.text)) : raw(i);
    const text = firstSentences(source, LEAD_CHARS);
    const result = {
      text,
      tokens: pickOverhead + scaleTokens(prefixTokens(text.length, source.length, sourceTokens), counting),
    };
    leadMemo[i] = result;
    return result;
  };
  const rollupTokens = (a: number, b: number, picks: number) =>
    header + spreadPicks(b - a, picks).reduce((sum, p) => sum + lead(a + p).tokens, 0);
  const storedByRange = new Map<string, StoredRollupInput>();
  for (const r of input.rollups ?? []) {
    if (r.from >= 1 && r.to <= n && r.from < r.to && r.text.trim() !== "")
      storedByRange.set(`${r.from - 1}:${r.to}`, r);
  }
  const storedMemo = new Map<string, number>();
  /** The stored roll-up of exactly [a, b) and its cost, if there is one. */
  const storedOf = (a: number, b: number): { rollup: StoredRollupInput; tokens: number } | null => {
    const key = `${a}:${b}`;
    const rollup = storedByRange.get(key);
    if (!rollup) return null;
    let tokens = storedMemo.get(key);
    if (tokens === undefined) {
      tokens = header + tokensOf(rollup.text, counting, rollup.tokenCount);
      storedMemo.set(key, tokens);
    }
    return { rollup, tokens };
  };
  /** A run's representation: its stored roll-up when there is one, else the stand-in with up to `picks` quotes. */
  const nodeOf = (a: number, b: number, picks: number): RollupNode => {
    const stored = storedOf(a, b);
    return stored
      ? { a, b, picks: 0, tokens: stored.tokens, stored: stored.rollup }
      : { a, b, picks, tokens: rollupTokens(a, b, picks) };
  };
  const minimalCover = (a: number, b: number) => {
    if (a >= b) return 0;
    const stored = storedOf(a, b);
    const standIn = rollupTokens(a, b, 1);
    return stored ? Math.min(stored.tokens, standIn) : standIn;
  };

  // 1. The instruction and the target: never cut.
  const instructionTokens = input.instruction === "" ? 0 : tokensOf(input.instruction, counting);
  const targetTokens = header + whole(t);
  const mandatory = input.fixedTokens + instructionTokens + targetTokens;
  if (mandatory > budgetTokens) {
    throw new ContextBudgetError(
      `The page and instruction alone need about ${mandatory} tokens, more than the model's input budget of ${budgetTokens}.`,
      mandatory,
      budgetTokens,
    );
  }

  const memory = selectMemory(input, t, neighbours, counting);
  const wholeStory = sections.reduce((sum, _s, i) => (i === t ? sum : sum + header + whole(i)), 0);
  const allMemory = memory.reduce((sum, m) => sum + m.tokens, 0);
  const leftOut: LeftOutItem[] = [];

  const parts: ContextPart[] = [];
  const target: ContextPart = {
    kind: "target",
    from: t + 1,
    to: t + 1,
    text: sections[t]!.text,
    source: "text",
    tokens: targetTokens,
  };
  const wholePart = (i: number, kind: "neighbour" | "page"): ContextPart => ({
    kind,
    from: i + 1,
    to: i + 1,
    text: sections[i]!.text,
    source: "text",
    tokens: header + whole(i),
  });

  let used = mandatory;
  let includedMemory: MemoryPart[];
  if (mandatory + wholeStory + allMemory <= budgetTokens) {
    // Short documents are sent whole, as before story memory.
    used += wholeStory + allMemory;
    includedMemory = memory;
    for (let i = 0; i < n; i++) {
      parts.push(i === t ? target : wholePart(i, Math.abs(i - t) <= neighbours ? "neighbour" : "page"));
    }
  } else {
    let leftEnd = t;
    let rightStart = t + 1;
    const neighbourParts: ContextPart[] = [];
    // 3. Neighbours, nearest first, each side contiguous: a neighbour that does not fit ends that side.
    let leftOpen = true;
    let rightOpen = true;
    for (let d = 1; d <= neighbours && (leftOpen || rightOpen); d++) {
      if (leftOpen) {
        const i = t - d;
        const cost = i >= 0 ? header + whole(i) : 0;
        if (i >= 0 && used + cost + minimalCover(0, i) + minimalCover(rightStart, n) <= budgetTokens) {
          used += cost;
          leftEnd = i;
          neighbourParts.push(wholePart(i, "neighbour"));
        } else leftOpen = false;
      }
      if (rightOpen) {
        const i = t + d;
        const cost = i < n ? header + whole(i) : 0;
        if (i < n && used + cost + minimalCover(0, leftEnd) + minimalCover(i + 1, n) <= budgetTokens) {
          used += cost;
          rightStart = i + 1;
          neighbourParts.push(wholePart(i, "neighbour"));
        } else rightOpen = false;
      }
    }
    // 4. Memory, in priority order; an entry that does not fit is skipped (a shorter one after it may).
    includedMemory = [];
    for (const entry of memory) {
      if (used + entry.tokens + minimalCover(0, leftEnd) + minimalCover(rightStart, n) <= budgetTokens) {
        used += entry.tokens;
        includedMemory.push(entry);
      } else {
        leftOut.push({ kind: "codex", label: entry.name, reason: `${entry.reason}; no room left`, pages: null });
      }
    }

    // 5. The other pages: one roll-up per side, refined nearest first.
    const leaves = new Map<number, Leaf>();
    const sides = [
      { dir: -1 as const, a: 0, b: leftEnd, pending: [] as RollupNode[], open: true },
      { dir: 1 as const, a: rightStart, b: n, pending: [] as RollupNode[], open: true },
    ];
    for (const [s, side] of sides.entries()) {
      if (side.a >= side.b) continue;
      const reserve = s === 0 ? minimalCover(sides[1]!.a, sides[1]!.b) : 0;
      if (side.b - side.a === 1 && used + leaf(side.a).tokens + reserve <= budgetTokens) {
        used += leaf(side.a).tokens;
        leaves.set(side.a, leaf(side.a));
        continue;
      }
      let placed = false;
      // The stored AI roll-up first (when the side is exactly one stored run), then the stand-in, richest first.
      const candidates = [nodeOf(side.a, side.b, ROLLUP_PICKS)];
      for (let picks = ROLLUP_PICKS; picks >= 1; picks--) {
        candidates.push({ a: side.a, b: side.b, picks, tokens: rollupTokens(side.a, side.b, picks) });
      }
      for (const candidate of candidates) {
        if (used + candidate.tokens + reserve <= budgetTokens) {
          used += candidate.tokens;
          side.pending.push(candidate);
          placed = true;
          break;
        }
      }
      if (!placed) {
        side.open = false;
        leftOut.push({
          kind: "pages",
          label: side.a + 1 === side.b ? `Page ${side.b}` : `Pages ${side.a + 1}–${side.b}`,
          reason: "no room left even for a roll-up",
          pages: pageRange(side.a, side.b),
        });
      }
    }
    const distance = (dir: -1 | 1, a: number, b: number) => (dir < 0 ? t - (b - 1) : a - t);
    const childNode = (a: number, b: number) => nodeOf(a, b, Math.min(ROLLUP_PICKS, b - a));
    const childTokens = (a: number, b: number) => (b - a === 1 ? leaf(a).tokens : childNode(a, b).tokens);
    for (;;) {
      let side: (typeof sides)[number] | undefined;
      for (const candidate of sides) {
        const top = candidate.pending.at(-1);
        if (!candidate.open || !top) continue;
        const sideTop = side?.pending.at(-1);
        if (!side || !sideTop || distance(candidate.dir, top.a, top.b) < distance(side.dir, sideTop.a, sideTop.b)) {
          side = candidate;
        }
      }
      if (!side) break;
      const node = side.pending.at(-1)!;
      const m = splitPoint(node.a, node.b);
      const [near, far] =
        side.dir < 0
          ? [
              [m, node.b],
              [node.a, m],
            ]
          : [
              [node.a, m],
              [m, node.b],
            ];
      const nearTokens = childTokens(near[0]!, near[1]!);
      const farTokens = childTokens(far[0]!, far[1]!);
      const delta = nearTokens + farTokens - node.tokens;
      if (used + delta > budgetTokens) {
        side.open = false;
        continue;
      }
      used += delta;
      side.pending.pop();
      for (const [[a, b], tokens] of [
        [far, farTokens],
        [near, nearTokens],
      ] as const) {
        if (b! - a! === 1) leaves.set(a!, leaf(a!));
        else side.pending.push({ ...childNode(a!, b!), tokens });
      }
    }

    // Every page has its summary: bring the nearest ones whole while they fit, each side until one does not.
    if (sides.every((s) => s.pending.length === 0)) {
      const order = [...leaves.keys()]
        .filter((i) => leaves.get(i)!.kind === "summary")
        .sort((x, y) => Math.abs(x - t) - Math.abs(y - t) || x - y);
      const stopped = new Set<number>();
      for (const i of order) {
        const dir = i < t ? -1 : 1;
        if (stopped.has(dir)) continue;
        const delta = header + whole(i) - leaves.get(i)!.tokens;
        if (used + delta > budgetTokens) {
          stopped.add(dir);
          continue;
        }
        used += delta;
        leaves.set(i, { kind: "page", text: sections[i]!.text, source: "text", tokens: header + whole(i) });
      }
    }

    parts.push(target, ...neighbourParts);
    for (const [i, l] of leaves)
      parts.push({ kind: l.kind, from: i + 1, to: i + 1, text: l.text, source: l.source, tokens: l.tokens });
    for (const side of sides) {
      for (const node of side.pending) {
        if (node.stored) {
          parts.push({
            kind: "rollup",
            ...pageRange(node.a, node.b),
            text: node.stored.text,
            source: "ai-rollup",
            tokens: node.tokens,
          });
          continue;
        }
        const text = spreadPicks(node.b - node.a, node.picks)
          .map((p) => `(p. ${node.a + p + 1}) ${lead(node.a + p).text}`)
          .join(" ");
        parts.push({ kind: "rollup", ...pageRange(node.a, node.b), text, source: "stand-in", tokens: node.tokens });
      }
    }
    parts.sort((x, y) => x.from - y.from);
  }

  if (used > budgetTokens) throw new Error(`context assembly overran its budget (${used} > ${budgetTokens})`);
  return {
    targetIndex: t,
    parts,
    memory: includedMemory,
    breakdown: breakdownOf({ parts, memory: includedMemory, leftOut, used, input, instructionTokens, n }),
  };
}

function selectMemory(input: AssemblyInput, t: number, neighbours: number, counting: TokenCounting): MemoryPart[] {
  const entries = (input.memory ?? []).filter((e) => e.activation !== "never");
  if (entries.length === 0) return [];
  const overhead = scaleTokens(MEMORY_ENTRY_OVERHEAD, counting);
  const part = (e: MemoryEntryInput, reason: string): MemoryPart => {
    const aliases = e.names.filter((name) => name !== e.name);
    return {
      id: e.id,
      name: e.name,
      kind: e.kind,
      aliases,
      description: e.description,
      reason,
      tokens: overhead + tokensOf([e.name, ...aliases, e.description].join("\n"), counting, e.tokenCount),
    };
  };
  const chosen = entries.filter((e) => e.activation === "always").map((e) => part(e, "always"));
  const mentionable = entries.filter((e) => e.activation === "mentioned");
  if (mentionable.length === 0) return chosen;
  const places: { label: string; text: string }[] = [];
  if (input.instruction !== "") places.push({ label: "instruction", text: input.instruction });
  places.push({ label: `page ${t + 1}`, text: input.sections[t]!.text });
  for (let d = 1; d <= neighbours; d++) {
    for (const i of [t - d, t + d]) {
      if (i >= 0 && i < input.sections.length) places.push({ label: `page ${i + 1}`, text: input.sections[i]!.text });
    }
  }
  const byId = new Map(mentionable.map((e) => [e.id, e]));
  const seen = new Set<string>();
  const matcher = createMentionMatcher(mentionable.map((e) => ({ id: e.id, names: e.names })));
  for (const place of places) {
    for (const mention of matcher.find(place.text)) {
      if (seen.has(mention.id)) continue;
      seen.add(mention.id);
      chosen.push(part(byId.get(mention.id)!, `mentioned: ${mention.name}, ${place.label}`));
    }
  }
  return chosen;
}

const PART_LABELS: Record<ContextPartKind, (p: ContextPart) => string> = {
  target: (p) => `Page ${p.from} (target)`,
  neighbour: (p) => `Page ${p.from}`,
  page: (p) => `Page ${p.from}`,
  summary: (p) => `Page ${p.from} summary`,
  rollup: (p) => `Pages ${p.from}–${p.to}`,
};

function partReason(p: ContextPart): string {
  switch (p.kind) {
    case "target":
      return "the page being written or revised: always whole";
    case "neighbour":
      return "next to the target: whole";
    case "page":
      return "fits whole";
    case "summary":
      return p.source === "stand-in"
        ? "no summary yet: its first sentences"
        : p.source === "stale-summary"
          ? "summary (older than the page's text)"
          : "summary";
    case "rollup":
      return p.source === "ai-rollup"
        ? "roll-up written by the AI from the pages' summaries"
        : "roll-up stand-in (no current AI roll-up of these pages): first sentences of pages across the range";
  }
}

function breakdownOf(args: {
  parts: ContextPart[];
  memory: MemoryPart[];
  leftOut: LeftOutItem[];
  used: number;
  input: AssemblyInput;
  instructionTokens: number;
  n: number;
}): ContextBreakdown {
  const { parts, memory, input } = args;
  const sections: BreakdownSection[] = [
    {
      kind: "template",
      label: "Template and document details",
      pages: null,
      reason: "fixed",
      tokens: input.fixedTokens,
    },
  ];
  if (args.instructionTokens > 0) {
    sections.push({
      kind: "instruction",
      label: "Instruction",
      pages: null,
      reason: "always",
      tokens: args.instructionTokens,
    });
  }
  const row = (p: ContextPart): BreakdownSection => ({
    kind: p.kind,
    label: PART_LABELS[p.kind](p),
    pages: { from: p.from, to: p.to },
    reason: partReason(p),
    tokens: p.tokens,
    ...(p.kind === "rollup" ? { source: p.source === "ai-rollup" ? ("ai" as const) : ("stand-in" as const) } : {}),
  });
  const first = parts.filter((p) => p.kind === "target" || p.kind === "neighbour");
  sections.push(...first.map(row));
  for (const m of memory) {
    sections.push({ kind: "codex", label: `${m.name} (${m.kind})`, pages: null, reason: m.reason, tokens: m.tokens });
  }
  sections.push(...parts.filter((p) => p.kind !== "target" && p.kind !== "neighbour").map(row));
  const pagesRepresented = parts.reduce((sum, p) => sum + (p.to - p.from + 1), 0);
  return {
    sections,
    leftOut: args.leftOut,
    totalTokens: args.used,
    budgetTokens: input.budgetTokens,
    counting: input.counting,
    pageCount: args.n,
    pagesRepresented,
  };
}
