import { and, asc, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db";
import { pages, type Story } from "@/db/schema";
import { buildDocumentPayload, ContextBudgetError, type BudgetResult, type DocumentPromptPayload } from "@/lib/ai";
import { AppError } from "@/lib/errors";
import { numberPages } from "./page-numbers";

/** A story's live pages in reading order, with what a prompt needs of them. */
export async function livePageTexts(
  db: Db,
  storyId: string,
): Promise<{ id: string; content: string; version: number }[]> {
  return db
    .select({ id: pages.id, content: pages.content, version: pages.version })
    .from(pages)
    .where(and(eq(pages.storyId, storyId), isNull(pages.deletedAt)))
    .orderBy(asc(pages.position));
}

/**
 * The whole-story payload for writing or revising one page, fitted to the model's input budget, with what was left
 * out numbered by page. A story too long for the budget is a LIMIT_EXCEEDED (GEN_CONSTRAINT_FAIL) error.
 */
export function buildPagePayload(args: {
  story: Pick<Story, "title" | "description" | "language">;
  /** The story's live pages in order. */
  ordered: { id: string; content: string }[];
  pageId: string;
  mode: "write" | "revise";
  instruction: string;
  templateBody: string;
  budgetTokens: number;
}): {
  payload: DocumentPromptPayload;
  contextLeftOut: (BudgetResult["leftOut"][number] & { pageNumber: number })[];
  estimatedTokens: number;
} {
  try {
    const built = buildDocumentPayload({
      document: { title: args.story.title, description: args.story.description, language: args.story.language },
      sections: args.ordered.map((p) => ({
        id: p.id,
        text: p.id === args.pageId && args.mode === "write" ? "" : p.content,
      })),
      targetId: args.pageId,
      instruction: args.instruction,
      templateBody: args.templateBody,
      budgetTokens: args.budgetTokens,
    });
    const numbers = numberPages(args.ordered);
    return {
      payload: built.payload,
      contextLeftOut: built.budget.leftOut.map((l) => ({ ...l, pageNumber: numbers.get(l.id) ?? 0 })),
      estimatedTokens: built.budget.estimatedTokens,
    };
  } catch (error) {
    if (error instanceof ContextBudgetError) {
      throw new AppError("LIMIT_EXCEEDED", "This page is too long for the AI model's input budget.", {
        code: "GEN_CONSTRAINT_FAIL",
        neededTokens: error.neededTokens,
        budgetTokens: error.budgetTokens,
      });
    }
    throw error;
  }
}
