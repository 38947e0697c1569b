import { getDb } from "@/db";
import {
  type ContextBreakdown,
  costUsd,
  findActiveJob,
  resolveTemplate,
  resolveModel,
  type TokenCounting,
  tokenCountingFor,
} from "@/lib/ai";
import { AppError } from "@/lib/errors";
import { loadPageFor } from "../access";
import { requireActor, type Actor } from "../actor";
import { PAGE_TARGET } from "../job-kinds";
import { loadPagePromptInput } from "../page-job-input";
import { assertCanRequestAi, type AiAllowance } from "../spending-policy";
import { parseInput } from "../validation";
import { pageTextRequestSchema } from "./request";
import { ratingConstraints, ratingForJob } from "../ratings/policy";
import { buildPageTextPrompt } from "./page-prompt";
import type { SectionedRevise } from "./sectioned-revise";

export interface PageTextCheck {
  ok: true;
  pageId: string;
  mode: "write" | "revise";
  /** A job is already running on the page: a request now would join it (and spend no budget). */
  wouldJoinJobId: string | null;
  model: string;
  provider: string;
  /** Estimated prompt size and what context budgeting would leave out. */
  promptTokens: number;
  budgetTokens: number;
  /** Pages that are not in the prompt whole (summarised or rolled up). */
  pagesShortened: number;
  /** The page would be revised in this many sections, one at a time (too long for one prompt); null: in one piece. */
  sections: number | null;
  /** The prompt preview: each part of the prompt with its tokens and why it is there, the total against the budget. */
  context: ContextBreakdown;
  /**
   * USD for the prompt plus an answer one page long (the current page for a revision, a 300-word page when
   * writing); null for a model without a price.
   */
  estimatedCostUsd: number | null;
  allowance: AiAllowance | null;
}

/** About 300 words in o200k tokens: the answer length assumed when estimating the cost of writing a blank page. */
const BLANK_PAGE_ANSWER_TOKENS = 400;

/**
 * The dry run behind the REST validate endpoint (POST /api/v1/generations/validate).
 * Runs every check requestPageText runs — input, access, mode, budget and rate, the prompt fitting the model's
 * input budget — without creating a job, so an API client can ask "would this be accepted?". Answers like
 * requestPageText would: the same AppErrors for the same problems.
 */
export async function checkPageTextRequest(actorOrNull: Actor | null, input: unknown): Promise<PageTextCheck> {
  const actor = requireActor(actorOrNull);
  const { pageId, mode: requestedMode, instruction } = parseInput(pageTextRequestSchema, input);
  const db = await getDb();
  const { page, story } = await loadPageFor(db, actor, "generate", pageId);
  const running = await findActiveJob(db, PAGE_TARGET, page.id);

  const mode = requestedMode ?? (page.content.trim() === "" ? "write" : "revise");
  if (!running && mode === "revise" && page.content.trim() === "") {
    throw new AppError("VALIDATION", "This page is blank: there is nothing to revise. Use Generate to write it.");
  }
  const model = resolveModel(process.env, { storyChoice: story.modelId });
  const template = await resolveTemplate(mode === "write" ? "page_write" : "page_revise");
  const { ordered, memory } = await loadPagePromptInput(db, story.id);
  const rating = await ratingForJob(db, story, actor.id);
  const built = await buildPageTextPrompt({
    story,
    ordered,
    memory,
    pageId: page.id,
    mode,
    instruction,
    template,
    model,
    constraints: ratingConstraints(rating),
  });
  const sections = built.kind === "sectioned" ? built.sections : null;
  const context =
    built.kind === "whole"
      ? built.payload.contextBreakdown
      : sectionedBreakdown(built, ordered, page.id, model.inputBudgetTokens, tokenCountingFor(model));
  const answerTokens =
    mode === "revise" ? (ordered.find((p) => p.id === page.id)?.tokenCount ?? 0) : BLANK_PAGE_ANSWER_TOKENS;
  // Limits come last, as in requestPageText (which checks them when inserting the job). Joining a running job
  // creates nothing, so it is never refused for budget or rate.
  const allowance = running ? null : await assertCanRequestAi(db, actor);
  return {
    ok: true,
    pageId: page.id,
    mode,
    wouldJoinJobId: running?.id ?? null,
    model: model.modelId,
    provider: model.provider,
    promptTokens: built.estimatedTokens,
    budgetTokens: model.inputBudgetTokens,
    pagesShortened: context.sections
      .filter((s) => s.kind === "summary" || s.kind === "rollup")
      .reduce((sum, s) => sum + (s.pages ? s.pages.to - s.pages.from + 1 : 0), 0),
    sections,
    context,
    // A sectioned revision sends one prompt per section (counted here at the largest's size).
    estimatedCostUsd: costUsd(model.modelId, {
      inputTokens: built.estimatedTokens * (sections ?? 1),
      outputTokens: answerTokens,
    }),
    allowance,
  };
}

/**
 * What a sectioned revision's preview shows: its prompts hold one section of the page at a time (the largest counted),
 * with the story's title and summary but not its other pages.
 */
function sectionedBreakdown(
  sectioned: SectionedRevise,
  ordered: readonly { id: string }[],
  pageId: string,
  budgetTokens: number,
  counting: TokenCounting,
): ContextBreakdown {
  const number = ordered.findIndex((p) => p.id === pageId) + 1;
  const largest = sectioned.largestSection;
  if (largest) {
    // The largest section's prompt, as assembled: its story memory (codex, neighbours, summaries) with the section
    // standing in for the page.
    return {
      ...largest.breakdown,
      sections: largest.breakdown.sections.map((s) =>
        s.kind === "target"
          ? {
              ...s,
              label: `Page ${number}, in ${sectioned.sections} sections (section ${largest.number}, the largest, shown)`,
              reason:
                "too long for one prompt: revised one section at a time, each with the ends of the sections around it and the story memory that fits beside it",
            }
          : s,
      ),
      totalTokens: Math.max(sectioned.estimatedTokens, largest.breakdown.totalTokens),
    };
  }
  return {
    sections: [
      {
        kind: "target",
        label: `Page ${number}, in ${sectioned.sections} sections`,
        pages: { from: number, to: number },
        reason: "too long for one prompt: revised one section at a time, each with the ends of the sections around it",
        tokens: sectioned.estimatedTokens,
      },
    ],
    leftOut:
      ordered.length > 1
        ? [
            {
              kind: "pages",
              label: "The story's other pages",
              reason: "a section's prompt holds the story's title and summary, not its other pages",
              pages: null,
            },
          ]
        : [],
    totalTokens: sectioned.estimatedTokens,
    budgetTokens,
    counting,
    pageCount: ordered.length,
    pagesRepresented: 1,
  };
}
