import { ContextBudgetError } from "./context";
import { estimateTokens } from "./tokens";

/*
 * A text too long to be revised in one prompt is revised section by section in one job. This module cuts the text
 * (pure, generic: lib/ai knows it only as a string) and says how each section is rendered and joined back; the
 * runner (lib/ai/functions/run-ai-job.ts) runs the sections one after another.
 */

export type TokenCounter = (text: string) => number;

/** Below this a section is no longer worth a model call of its own: a request that cannot give one this much is refused. */
export const SECTION_MIN_TOKENS = 200;
/**
 * A section's answer is about as long as the section and has to come back in one model answer: 4,000 tokens is
 * within the output limit of every model we configure (gpt-4o-mini: 16k; local models: 4k–8k).
 */
export const SECTION_MAX_TOKENS = 4000;
/** Context from each neighbouring section (its end before, its start after), so a section's seams read on. */
export const SECTION_CONTEXT_TOKENS = 150;

const graphemes = new Intl.Segmenter("und", { granularity: "grapheme" });
const words = new Intl.Segmenter("und", { granularity: "word" });

/**
 * Cuts `text` into pieces at the boundaries of one level, each piece keeping the whitespace that follows it (and the
 * first one the whitespace the text starts with), so the pieces always concatenate back to `text` exactly.
 */
function piecesAt(text: string, level: number): string[] {
  switch (level) {
    case 0:
      // Paragraphs: a blank line (spaces allowed) ends one; the separator stays with the paragraph it ends.
      return cutAfter(text, /\n[ \t\r]*\n\s*/g);
    case 1:
      // Lines (dialogue, verse) before sentences: a line break is the author's own boundary.
      return cutAfter(text, /\n\s*/g);
    case 2:
      // Sentences: a terminator (and closing quotes), then spaces; Chinese and Japanese terminators need none.
      return cutAfter(text, /[.!?…]["'”’»)\]]*\s+|[。！？][」』”’）]*\s*/gu);
    case 3:
      // Words as spaces separate them: punctuation stays with its word.
      return cutAfter(text, /\s+/g);
    case 4:
      // Scripts without spaces (Chinese, Japanese, Thai) still have word boundaries here.
      return mergeWhitespace([...words.segment(text)].map((s) => s.segment));
    default:
      // A run with no boundary at all, longer than a section: cut between characters as a reader sees them.
      return [...graphemes.segment(text)].map((s) => s.segment);
  }
}

const LEVELS = 6;

function cutAfter(text: string, separator: RegExp): string[] {
  const pieces: string[] = [];
  let start = 0;
  for (const match of text.matchAll(separator)) {
    const end = match.index + match[0].length;
    // A separator at the very start (leading blank lines) belongs to the first piece, not a piece of its own.
    if (match.index === 0 || end === text.length) continue;
    pieces.push(text.slice(start, end));
    start = end;
  }
  pieces.push(text.slice(start));
  return pieces.filter((p) => p !== "");
}

/** Whitespace-only segments join the segment before them (the first one, the segment after), so no piece is blank. */
function mergeWhitespace(segments: string[]): string[] {
  const pieces: string[] = [];
  let leading = "";
  for (const segment of segments) {
    if (segment.trim() === "" && pieces.length > 0) pieces[pieces.length - 1] += segment;
    else if (segment.trim() === "") leading += segment;
    else {
      pieces.push(leading + segment);
      leading = "";
    }
  }
  if (leading !== "") {
    if (pieces.length > 0) pieces[pieces.length - 1] += leading;
    else pieces.push(leading);
  }
  return pieces;
}

/** Pieces no longer than `maxTokens`: each too long is cut at the next finer level, recursively. */
function units(
  text: string,
  level: number,
  maxTokens: number,
  count: TokenCounter,
  out: { text: string; tokens: number }[],
) {
  for (const piece of piecesAt(text, level)) {
    const tokens = count(piece);
    if (tokens <= maxTokens || level >= LEVELS - 1) out.push({ text: piece, tokens });
    else units(piece, level + 1, maxTokens, count, out);
  }
}

/**
 * Cuts a text into sections of at most `maxTokens` each, at paragraph boundaries; a paragraph longer than a section
 * is cut at line, then sentence, then word boundaries (never mid-word), and only a run with no boundary at all at
 * characters. Whitespace stays with the section it follows, so the sections concatenate back to the text exactly.
 * Consecutive pieces are packed greedily, so there are as few sections as the boundaries allow. Deterministic; no
 * section is empty (an empty text has none). `count` must not count a whole as more than the sum of its parts (the
 * character estimate does not; BPE counts do not in practice). A single character longer than `maxTokens` (possible
 * only with a tiny maximum) is a section of its own.
 */
export function splitIntoSections(text: string, maxTokens: number, count: TokenCounter = estimateTokens): string[] {
  if (!(maxTokens >= 1)) throw new RangeError(`maxTokens must be at least 1 (got ${maxTokens})`);
  if (text === "") return [];
  const flat: { text: string; tokens: number }[] = [];
  units(text, 0, maxTokens, count, flat);
  const sections: string[] = [];
  let current = "";
  // An upper bound of the current section's tokens: the sum of its pieces' counts. The whole is counted only when
  // that sum would pass the maximum, so small pieces (words, characters) are not each rounded up into a section
  // that could have held more, and a real tokenizer counts a few strings per section rather than every prefix.
  let currentTokens = 0;
  for (const unit of flat) {
    if (current !== "" && currentTokens + unit.tokens > maxTokens) {
      const whole = count(current + unit.text);
      if (whole <= maxTokens) {
        current += unit.text;
        currentTokens = whole;
        continue;
      }
      sections.push(current);
      current = "";
      currentTokens = 0;
    }
    current += unit.text;
    currentTokens += unit.tokens;
  }
  if (current !== "") sections.push(current);
  return sections;
}

/** One section as a job records it: its exact text and the neighbouring context shown with it. */
export interface TextSection {
  /** The section exactly as cut (with its surrounding whitespace): the sections concatenate to the text. */
  text: string;
  /** The end of the section before it (empty for the first). */
  before: string;
  /** The start of the section after it (empty for the last). */
  after: string;
  /**
   * Template variables of this section's prompt alone (page_revise_section v2: the story memory that fits beside
   * it). Absent in jobs recorded before sections had memory, which render as they did.
   */
  memory?: Record<string, unknown>;
}

export interface SectionPlan {
  sections: TextSection[];
  /** The largest section's prompt, estimated: fixed part + context + section. */
  estimatedTokens: number;
  /** The most a section may hold. */
  sectionTokens: number;
}

/** Words of a context window, each with the whitespace after it (scripts without spaces: their word boundaries). */
function contextWords(text: string): string[] {
  const spaced = cutAfter(text, /\s+/g);
  return spaced.length > 1 ? spaced : mergeWhitespace([...words.segment(text)].map((s) => s.segment));
}

/** No token is longer than this many characters in practice: a window this wide holds any context we cut. */
const MAX_CHARS_PER_TOKEN = 16;

/** The end of `text` within `maxTokens`, starting at a word. */
function tailWithin(text: string, maxTokens: number, count: TokenCounter): string {
  const trimmed = text.trim();
  if (maxTokens <= 0 || trimmed === "") return "";
  const pieces = contextWords(trimmed.slice(-maxTokens * MAX_CHARS_PER_TOKEN));
  // The window's first piece may be a word cut in two by the window.
  if (trimmed.length > maxTokens * MAX_CHARS_PER_TOKEN) pieces.shift();
  let tail = "";
  for (let i = pieces.length - 1; i >= 0; i--) {
    const next = pieces[i]! + tail;
    if (count(next.trim()) > maxTokens) break;
    tail = next;
  }
  return tail.trim();
}

/** The start of `text` within `maxTokens`, ending at a word. */
function headWithin(text: string, maxTokens: number, count: TokenCounter): string {
  const trimmed = text.trim();
  if (maxTokens <= 0 || trimmed === "") return "";
  const pieces = contextWords(trimmed.slice(0, maxTokens * MAX_CHARS_PER_TOKEN));
  if (trimmed.length > maxTokens * MAX_CHARS_PER_TOKEN) pieces.pop();
  let head = "";
  for (const piece of pieces) {
    const next = head + piece;
    if (count(next.trim()) > maxTokens) break;
    head = next;
  }
  return head.trim();
}

/**
 * Plans the sections of a text revised piece by piece: each section's prompt — `fixedTokens` (template, instruction,
 * document fields) + the context from its neighbours + the section — fits `budgetTokens`. The context shrinks before
 * a request is refused; it is refused (ContextBudgetError, with what it needs) only when the fixed part and a
 * section of SECTION_MIN_TOKENS cannot fit.
 */
export function planSections(args: {
  text: string;
  budgetTokens: number;
  fixedTokens: number;
  count?: TokenCounter;
  maxSectionTokens?: number;
  contextTokens?: number;
}): SectionPlan {
  const count = args.count ?? estimateTokens;
  const available = args.budgetTokens - args.fixedTokens;
  if (available < SECTION_MIN_TOKENS) {
    const needed = args.fixedTokens + SECTION_MIN_TOKENS;
    throw new ContextBudgetError(
      `The instruction and the smallest section of this page need about ${needed} tokens, more than the model's input budget of ${args.budgetTokens}.`,
      needed,
      args.budgetTokens,
    );
  }
  const contextTokens = Math.max(
    0,
    Math.min(args.contextTokens ?? SECTION_CONTEXT_TOKENS, Math.floor((available - SECTION_MIN_TOKENS) / 2)),
  );
  const sectionTokens = Math.min(args.maxSectionTokens ?? SECTION_MAX_TOKENS, available - 2 * contextTokens);
  const texts = splitIntoSections(args.text, sectionTokens, count);
  const sections = texts.map(
    (text, i): TextSection => ({
      text,
      before: i > 0 ? tailWithin(texts[i - 1]!, contextTokens, count) : "",
      after: i < texts.length - 1 ? headWithin(texts[i + 1]!, contextTokens, count) : "",
    }),
  );
  const estimatedTokens = Math.max(
    0,
    ...sections.map((s) => args.fixedTokens + count(s.before) + count(s.after) + count(s.text)),
  );
  return { sections, estimatedTokens, sectionTokens };
}

/** The whitespace around a section's words: kept from the original when its revision is joined in. */
export function sectionParts(text: string): { lead: string; body: string; trail: string } {
  const lead = /^\s*/.exec(text)![0];
  if (lead.length === text.length) return { lead: text, body: "", trail: "" };
  const trail = /\s*$/.exec(text)![0];
  return { lead, body: text.slice(lead.length, text.length - trail.length), trail };
}

/**
 * The revised text so far: each revised section in the original's whitespace (the blank lines between paragraphs
 * stay the author's), then the current section's partial answer, if any.
 */
export function joinRevisedSections(
  originals: readonly string[],
  revised: readonly string[],
  partial?: string,
): string {
  let text = "";
  revised.forEach((answer, i) => {
    const { lead, body, trail } = sectionParts(originals[i] ?? "");
    // A whitespace-only section (never cut from a real page, but possible) has nothing to revise.
    text += body === "" ? lead : lead + answer.trim() + trail;
  });
  if (partial !== undefined && revised.length < originals.length) {
    text += sectionParts(originals[revised.length]!).lead + partial.trimStart();
  }
  return text;
}

/**
 * A job payload that revises a text section by section: the template renders one section at a time with the
 * payload's other variables and `section` (lib/ai/job-types/sections.ts). The key is distinctive so no other payload
 * is mistaken for one.
 */
export interface SectionedPayload {
  textSections: TextSection[];
  [variable: string]: unknown;
}

export function isSectionedPayload(payload: unknown): payload is SectionedPayload {
  return (
    typeof payload === "object" &&
    payload !== null &&
    Array.isArray((payload as { textSections?: unknown }).textSections) &&
    (payload as { textSections: unknown[] }).textSections.length > 0
  );
}

/** The template variables for section `index` (0-based): the payload's own, and `section`. */
export function sectionVariables(payload: SectionedPayload, index: number): Record<string, unknown> {
  const { textSections, ...variables } = payload;
  const section = textSections[index];
  if (!section) throw new RangeError(`section ${index + 1} of ${textSections.length} does not exist`);
  return {
    ...variables,
    ...section.memory,
    section: {
      number: index + 1,
      count: textSections.length,
      text: sectionParts(section.text).body,
      before: section.before,
      after: section.after,
    },
  };
}

/** Room in a section's prompt for what the template adds around its variables (numbers, headers). */
const SECTION_PROMPT_MARGIN_TOKENS = 30;

/**
 * The payload of a job that revises `text` section by section with the template `templateBody`: the template's other
 * variables (`variables`, rendered with every section) and the sections, each with its context, planned so that every
 * section's prompt fits `budgetTokens` (ContextBudgetError when even the smallest section cannot).
 */
export function buildSectionedPayload<M extends SectionMemoryFill = SectionMemoryFill>(args: {
  text: string;
  variables: Record<string, unknown>;
  templateBody: string;
  budgetTokens: number;
  /**
   * What else a section's prompt gets within what it leaves of the budget (`usedTokens`: everything of the prompt
   * but the section's text). Called once per section, in order; null adds nothing. Must stay within the budget.
   */
  memoryFor?: (sectionText: string, usedTokens: number) => M | null;
}): { payload: SectionedPayload; estimatedTokens: number; memory: (M | null)[] } {
  // The template's own text without its tags (what renders of them is the variables, counted here, the section and
  // its context, counted by the plan, and the memory, counted by memoryFor), so that conditional blocks a section
  // may not use cost only their wording. The variables' JSON over-counts them a little (keys, quotes): the safe side.
  const fixedTokens =
    estimateTokens(templateWording(args.templateBody)) +
    estimateTokens(JSON.stringify(args.variables)) +
    SECTION_PROMPT_MARGIN_TOKENS;
  const plan = planSections({ text: args.text, budgetTokens: args.budgetTokens, fixedTokens });
  const memory: (M | null)[] = [];
  let estimatedTokens = plan.estimatedTokens;
  const sections = plan.sections.map((section): TextSection => {
    const fill =
      args.memoryFor?.(
        sectionParts(section.text).body,
        fixedTokens + estimateTokens(section.before) + estimateTokens(section.after),
      ) ?? null;
    memory.push(fill);
    if (!fill) return section;
    estimatedTokens = Math.max(estimatedTokens, fill.totalTokens);
    return { ...section, memory: fill.variables };
  });
  return { payload: { ...args.variables, textSections: sections }, estimatedTokens, memory };
}

/** A Liquid template's literal text: its tags (`{% … %}`) and outputs (`{{ … }}`) removed. */
function templateWording(body: string): string {
  return body.replace(/\{%-?[\s\S]*?-?%\}|\{\{-?[\s\S]*?-?\}\}/g, "");
}

/** A section's memory: its template variables and the whole prompt's tokens with them. */
export interface SectionMemoryFill {
  variables: Record<string, unknown>;
  totalTokens: number;
}
