import type { Story } from "@/db/schema";
import { type DocumentPromptPayload, type ModelChoice, type PromptTemplate, tokenCountingFor } from "@/lib/ai";
import { buildPagePayload, type LivePage, type StoryMemory } from "../page-job-input";
import { buildSectionedRevise, needsSections, type SectionedRevise } from "./sectioned-revise";

/** A page job's prompt as it will be recorded: the whole-story prompt, or a revision section by section. */
export type PageTextPrompt =
  | {
      kind: "whole";
      template: PromptTemplate;
      payload: DocumentPromptPayload;
      contextLeftOut: unknown[];
      estimatedTokens: number;
    }
  | ({ kind: "sectioned" } & SectionedRevise);

/**
 * The prompt of a page's write or revise job, built once for Generate, the dry run and background revisions: the
 * whole-story prompt fitted to the budget, or — a revision of a page too long for one prompt — the sectioned job
 * (./sectioned-revise.ts). Refused (LIMIT_EXCEEDED) only when not even one section fits.
 */
export async function buildPageTextPrompt(args: {
  story: Pick<Story, "title" | "description" | "language">;
  ordered: readonly LivePage[];
  memory: StoryMemory;
  pageId: string;
  mode: "write" | "revise";
  instruction: string;
  template: PromptTemplate;
  model: ModelChoice;
  /** Rules every prompt of the job carries (the content rating the job is held to). */
  constraints?: readonly string[];
}): Promise<PageTextPrompt> {
  try {
    const whole = buildPagePayload({
      story: args.story,
      ordered: args.ordered,
      memory: args.memory,
      pageId: args.pageId,
      mode: args.mode,
      instruction: args.instruction,
      templateBody: args.template.body,
      budgetTokens: args.model.inputBudgetTokens,
      counting: tokenCountingFor(args.model),
      constraints: args.constraints,
    });
    return { kind: "whole", template: args.template, ...whole };
  } catch (error) {
    if (!needsSections(error, args.mode)) throw error;
    const sectioned = await buildSectionedRevise({
      story: args.story,
      ordered: args.ordered,
      memory: args.memory,
      pageId: args.pageId,
      instruction: args.instruction,
      budgetTokens: args.model.inputBudgetTokens,
      counting: tokenCountingFor(args.model),
      constraints: args.constraints,
    });
    return { kind: "sectioned", ...sectioned };
  }
}
