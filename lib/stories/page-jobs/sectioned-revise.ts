import type { Story } from "@/db/schema";
import {
  buildSectionedPayload,
  buildSectionMemory,
  type ContextBreakdown,
  ContextBudgetError,
  type ContextSectionInput,
  isSectionedPayload,
  resolveTemplate,
  type PromptTemplate,
  renderTemplate,
  type SectionedPayload,
  type SectionMemoryFill,
  sectionVariables,
  type TokenCounting,
} from "@/lib/ai";
import { AppError, isAppError } from "@/lib/errors";
import { contextNeighbours, type LivePage, type StoryMemory } from "../page-job-input";
import { numberPages } from "../page-numbers";

/*
 * A revision of a page too long for the model's prompt budget: one job that revises the page section by section
 * (lib/ai/sections.ts cuts it; the runner gives each section a step of its own) and lands like any revision, as one
 * revision or one suggestion. A request is refused only when the instruction and one section alone cannot fit.
 */

export const SECTION_TEMPLATE_KEY = "page_revise_section";

/** Whether a failed whole-page build means "revise it in sections": a revision whose page alone is over the budget. */
export function needsSections(error: unknown, mode: "write" | "revise"): boolean {
  return mode === "revise" && isAppError(error) && error.code === "LIMIT_EXCEEDED";
}

type SectionFill = SectionMemoryFill & { breakdown: ContextBreakdown | null };

export interface SectionedRevise {
  template: PromptTemplate;
  payload: SectionedPayload;
  /** Nothing of the story is shortened: each section's prompt holds the story's title and summary, not its pages. */
  contextLeftOut: never[];
  /** The largest section's prompt. */
  estimatedTokens: number;
  sections: number;
  /** What the largest section's prompt holds (the preview shows it); null when no section got story memory. */
  largestSection: { number: number; breakdown: ContextBreakdown } | null;
}

/**
 * The sectioned job's template and payload for revising `pageId`. Each section's prompt has the story's title,
 * summary and language, the page number, the instruction, the section and the end and start of the sections around
 * it, and — in what the section leaves of the budget — the same story memory as a whole-page prompt: the codex
 * entries that are `always` or mentioned (in this section, the instruction or the neighbouring pages), the
 * neighbours and the other pages' summaries and roll-ups, nearest first (lib/ai buildSectionMemory). The story's
 * summary is dropped before a request is refused; refused with LIMIT_EXCEEDED (details as for a whole page:
 * GEN_CONSTRAINT_FAIL, needed and budget tokens) when the instruction and one section still cannot fit.
 */
export async function buildSectionedRevise(args: {
  story: Pick<Story, "title" | "description" | "language">;
  ordered: readonly LivePage[];
  memory: StoryMemory;
  pageId: string;
  instruction: string;
  budgetTokens: number;
  counting: TokenCounting;
  constraints?: readonly string[];
}): Promise<SectionedRevise> {
  const template = await resolveTemplate(SECTION_TEMPLATE_KEY);
  const page = args.ordered.find((p) => p.id === args.pageId);
  if (!page) throw new Error(`page ${args.pageId} is not among the story's pages`);
  const documentSections = args.ordered.map(
    (p): ContextSectionInput => ({
      id: p.id,
      text: p.content,
      tokenCount: p.tokenCount,
      summary: args.memory.summaries.get(p.id) ?? null,
    }),
  );
  const neighbours = contextNeighbours();
  const memoryFor = (sectionText: string, usedTokens: number): SectionFill => {
    try {
      const memory = buildSectionMemory({
        sections: documentSections,
        targetId: page.id,
        sectionText,
        instruction: args.instruction,
        usedTokens,
        budgetTokens: args.budgetTokens,
        counting: args.counting,
        memory: args.memory.codex,
        neighbours,
      });
      const { contextBreakdown, ...variables } = memory;
      return {
        variables,
        totalTokens: contextBreakdown.totalTokens,
        breakdown: contextBreakdown,
      };
    } catch (error) {
      // A section that leaves no room (counted exactly it can come out above its estimate) goes without memory.
      if (error instanceof ContextBudgetError)
        return { variables: { codex: [], context: [] }, totalTokens: 0, breakdown: null };
      throw error;
    }
  };
  const build = (description: string) =>
    buildSectionedPayload({
      text: page.content,
      variables: {
        story: { title: args.story.title, description, language: args.story.language },
        target: { number: numberPages(args.ordered).get(page.id) ?? 0 },
        instruction: args.instruction,
        constraints: [...(args.constraints ?? [])],
      },
      templateBody: template.body,
      budgetTokens: args.budgetTokens,
      memoryFor,
    });
  let built: ReturnType<typeof build>;
  try {
    try {
      built = build(args.story.description);
    } catch (error) {
      if (!(error instanceof ContextBudgetError) || args.story.description === "") throw error;
      built = build("");
    }
  } catch (error) {
    if (error instanceof ContextBudgetError) {
      throw new AppError(
        "LIMIT_EXCEEDED",
        "This page is too long for the AI model's input budget, even one section at a time: shorten the instruction.",
        { code: "GEN_CONSTRAINT_FAIL", neededTokens: error.neededTokens, budgetTokens: error.budgetTokens },
      );
    }
    throw error;
  }
  let largestSection: SectionedRevise["largestSection"] = null;
  built.memory.forEach((fill, i) => {
    if (fill?.breakdown && (!largestSection || fill.totalTokens > largestSection.breakdown.totalTokens))
      largestSection = { number: i + 1, breakdown: fill.breakdown };
  });
  return {
    template,
    payload: built.payload,
    contextLeftOut: [],
    estimatedTokens: built.estimatedTokens,
    sections: built.payload.textSections.length,
    largestSection,
  };
}

/** How many sections a job revises its page in (null: in one piece). */
export function sectionCount(promptPayload: unknown): number | null {
  return isSectionedPayload(promptPayload) ? promptPayload.textSections.length : null;
}

/** A section as the admin job detail lists it. */
export interface SectionSummary {
  number: number;
  characters: number;
  /** Its first words, to find it in the page. */
  opening: string;
}

export function summarizeSections(promptPayload: unknown): SectionSummary[] | null {
  if (!isSectionedPayload(promptPayload)) return null;
  return promptPayload.textSections.map((section, i) => {
    const words = section.text.trim().split(/\s+/);
    return {
      number: i + 1,
      characters: section.text.length,
      opening: words.slice(0, 12).join(" ") + (words.length > 12 ? " …" : ""),
    };
  });
}

/** Every section's prompt as the model got it, in order, each under a header. */
export async function renderSectionPrompts(template: PromptTemplate, payload: SectionedPayload): Promise<string> {
  const count = payload.textSections.length;
  const prompts: string[] = [];
  for (let i = 0; i < count; i++) {
    prompts.push(
      `===== Section ${i + 1} of ${count} =====\n${await renderTemplate(template, sectionVariables(payload, i))}`,
    );
  }
  return prompts.join("\n");
}
