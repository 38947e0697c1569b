import { fitToBudget, type BudgetResult } from "../context";
import { estimateTokens } from "../tokens";

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
