/*
 * The context budgeting as it was before story memory (lib/ai/context.ts fitToBudget and lib/ai/jobs/payload.ts
 * buildDocumentPayload at commit 098b639), kept here only so bench/context.ts can compare the two in one run. Not used
 * by the app.
 */
import { estimateTokens } from "@/lib/ai/tokens";

/** One piece of context in reading order (for a story: a page). `id` is opaque to lib/ai. */
export interface ContextSection {
  id: string;
  text: string;
}

interface BudgetedSection extends ContextSection {
  /** "whole", "shortened" (beginning and end kept) or "omitted" (text empty). */
  fit: "whole" | "shortened" | "omitted";
  originalChars: number;
}

export interface BudgetResult {
  sections: BudgetedSection[];
  estimatedTokens: number;
  /** What was left out, for the job record: ids with the characters dropped. */
  leftOut: { id: string; fit: "shortened" | "omitted"; droppedChars: number }[];
}

export class ContextBudgetError extends Error {
  constructor(
    message: string,
    readonly neededTokens: number,
    readonly budgetTokens: number,
  ) {
    super(message);
    this.name = "ContextBudgetError";
  }
}

const ELLIPSIS = "\n[…]\n";
/** Characters kept from each end of a shortened section: enough to carry names and where the scene stands. */
const SHORTENED_KEEP_CHARS = 600;

function shorten(text: string): string {
  if (text.length <= SHORTENED_KEEP_CHARS * 2 + ELLIPSIS.length) return text;
  return text.slice(0, SHORTENED_KEEP_CHARS) + ELLIPSIS + text.slice(-SHORTENED_KEEP_CHARS);
}

/**
 * Fits the sections into `budgetTokens` (on top of `fixedTokens` for the template and instructions).
 * The target and its `neighbours` on each side stay whole; the others are kept whole while they fit, nearest to the
 * target first, then shortened, then omitted. Deterministic: the same input always gives the same context.
 */
export function fitToBudget(args: {
  sections: ContextSection[];
  targetIndex: number;
  budgetTokens: number;
  fixedTokens: number;
  neighbours?: number;
}): BudgetResult {
  const { sections, targetIndex, budgetTokens, fixedTokens } = args;
  const neighbours = args.neighbours ?? 1;
  const fits: BudgetedSection["fit"][] = sections.map(() => "whole");
  const cost = (i: number) => {
    const fit = fits[i]!;
    const text = sections[i]!.text;
    return fit === "whole" ? estimateTokens(text) : fit === "shortened" ? estimateTokens(shorten(text)) : 0;
  };
  const total = () => fixedTokens + sections.reduce((sum, _s, i) => sum + cost(i), 0);

  // Farthest from the target first: those are the ones to give up before anything closer.
  const byDistance = sections
    .map((_s, i) => i)
    .filter((i) => Math.abs(i - targetIndex) > neighbours)
    .sort((a, b) => Math.abs(b - targetIndex) - Math.abs(a - targetIndex) || b - a);
  for (const stage of ["shortened", "omitted"] as const) {
    for (const i of byDistance) {
      if (total() <= budgetTokens) break;
      if (stage === "shortened" && shorten(sections[i]!.text) === sections[i]!.text) continue;
      fits[i] = stage;
    }
  }
  // Still too long: the neighbours are shortened, farthest first, but the target itself is never cut.
  const near = sections
    .map((_s, i) => i)
    .filter((i) => i !== targetIndex && Math.abs(i - targetIndex) <= neighbours)
    .sort((a, b) => Math.abs(b - targetIndex) - Math.abs(a - targetIndex) || b - a);
  for (const stage of ["shortened", "omitted"] as const) {
    for (const i of near) {
      if (total() <= budgetTokens) break;
      fits[i] = stage;
    }
  }
  const estimatedTokens = total();
  if (estimatedTokens > budgetTokens) {
    throw new ContextBudgetError(
      `The page and instructions alone need about ${estimatedTokens} tokens, more than the model's input budget of ${budgetTokens}.`,
      estimatedTokens,
      budgetTokens,
    );
  }
  const budgeted = sections.map((s, i): BudgetedSection => {
    const fit = fits[i]!;
    const text = fit === "whole" ? s.text : fit === "shortened" ? shorten(s.text) : "";
    return { id: s.id, text, fit, originalChars: s.text.length };
  });
  return {
    sections: budgeted,
    estimatedTokens,
    leftOut: budgeted
      .filter((s) => s.fit !== "whole")
      .map((s) => ({ id: s.id, fit: s.fit as "shortened" | "omitted", droppedChars: s.originalChars - s.text.length })),
  };
}

/**
 * The variables of the page_text templates, exactly as recorded in a job's prompt payload: rendering a job again
 * means rendering its template version with this object, nothing else.
 */
export interface DocumentPromptPayload {
  story: { title: string; description: string; language: string };
  pages: { number: number; text: string; isTarget: boolean; fit: "whole" | "shortened" | "omitted" }[];
  target: { number: number; hasNext: boolean; currentText: string };
  instruction: string;
}

export interface SectionInput {
  id: string;
  text: string;
}

/**
 * Builds the payload for writing or revising one section of a document, fitted into the model's input budget.
 * Generic over "documents made of ordered sections" so that lib/ai needs no knowledge of stories.
 */
export function buildDocumentPayload(args: {
  document: { title: string; description: string; language: string };
  sections: SectionInput[];
  targetId: string;
  instruction: string;
  templateBody: string;
  budgetTokens: number;
}): { payload: DocumentPromptPayload; budget: BudgetResult } {
  const targetIndex = args.sections.findIndex((s) => s.id === args.targetId);
  if (targetIndex < 0) throw new Error(`target ${args.targetId} is not among the sections`);
  const currentText = args.sections[targetIndex]!.text;
  // Everything that is not the surrounding sections: template text, summary, instruction, and (for a revision) the
  // current text a second time, plus a margin for page headers.
  const fixedTokens =
    estimateTokens(args.templateBody) +
    estimateTokens(args.document.title + args.document.description + args.instruction) +
    estimateTokens(currentText) +
    args.sections.length * 12;
  const budget = fitToBudget({ sections: args.sections, targetIndex, budgetTokens: args.budgetTokens, fixedTokens });
  return {
    payload: {
      story: args.document,
      pages: budget.sections.map((s, i) => ({ number: i + 1, text: s.text, isTarget: i === targetIndex, fit: s.fit })),
      target: { number: targetIndex + 1, hasNext: targetIndex < args.sections.length - 1, currentText },
      instruction: args.instruction,
    },
    budget,
  };
}
