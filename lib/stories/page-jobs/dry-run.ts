import { getDb } from "@/db";
import { findActiveJob, loadTemplate, resolveModel } from "@/lib/ai";
import { AppError } from "@/lib/errors";
import { loadPageFor } from "../access";
import { requireActor, type Actor } from "../actor";
import { PAGE_TARGET } from "../job-kinds";
import { buildPagePayload, livePageTexts } from "../page-job-input";
import { assertCanRequestAi, type AiAllowance } from "../spending-policy";
import { parseInput } from "../validation";
import { pageTextRequestSchema } from "./request";
import { buildSectionedRevise, needsSections } from "./sectioned-revise";

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
  pagesShortened: number;
  /** The page would be revised in this many sections, one at a time (too long for one prompt); null: in one piece. */
  sections: number | null;
  allowance: AiAllowance | null;
}

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
  const model = resolveModel();
  const template = await loadTemplate(mode === "write" ? "page_write" : "page_revise");
  const ordered = await livePageTexts(db, story.id);
  let built: Pick<ReturnType<typeof buildPagePayload>, "contextLeftOut" | "estimatedTokens">;
  let sections: number | null = null;
  try {
    built = buildPagePayload({
      story,
      ordered,
      pageId: page.id,
      mode,
      instruction,
      templateBody: template.body,
      budgetTokens: model.inputBudgetTokens,
    });
  } catch (error) {
    // As requestPageText: a page too long for one prompt would be revised section by section.
    if (!needsSections(error, mode)) throw error;
    const sectioned = await buildSectionedRevise({
      story,
      ordered,
      pageId: page.id,
      instruction,
      budgetTokens: model.inputBudgetTokens,
    });
    built = sectioned;
    sections = sectioned.sections;
  }
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
    pagesShortened: built.contextLeftOut.length,
    sections,
    allowance,
  };
}
