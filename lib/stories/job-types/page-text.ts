import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import type { AiJob } from "@/db/ai-schema";
import { stories } from "@/db/schema";
import { defineModelJobType, GenerationError, loadTemplate, type ModelChoice } from "@/lib/ai";
import { limits } from "../limits";
import { loadPagePromptInput } from "../page-job-input";
import { applyPageJobResult } from "../page-jobs/land";
import { buildPageTextPrompt } from "../page-jobs/page-prompt";

/*
 * A page's text, written from blank or revised by instruction. Both use the shared render (the page's recorded
 * template and whole-story payload) and generate; they land on the page as an `ai` revision when the page is still
 * at the version the job started from, otherwise (or for a background revision's page) as a suggestion.
 */

/**
 * An answer that could never be stored as a page (the database refuses pages over the limit) fails the job for good
 * with its reason, the page untouched, instead of succeeding and then failing to land.
 */
function fitsOnAPage(text: string): void {
  if (text.length > limits.pageMax) {
    throw new GenerationError(
      "GEN_CONSTRAINT_FAIL",
      `the answer has ${text.length} characters; a page holds at most ${limits.pageMax}`,
      false,
    );
  }
}

/**
 * The whole-story prompt assembled again for a fallback model with a smaller budget, from the story as it is now
 * (the landing still checks the page's version). Null when the story is gone or only a section-by-section revision
 * would fit: a job does not turn into a sectioned one half way, so that model is skipped.
 */
async function reassemblePagePrompt(job: AiJob, model: ModelChoice) {
  if (!job.scopeId) return null;
  const db = await getDb();
  const [story] = await db.select().from(stories).where(eq(stories.id, job.scopeId)).limit(1);
  if (!story) return null;
  const { ordered, memory } = await loadPagePromptInput(db, story.id);
  try {
    const built = await buildPageTextPrompt({
      story,
      ordered,
      memory,
      pageId: job.targetId,
      mode: job.jobType === "page_text.write" ? "write" : "revise",
      instruction: job.instruction,
      template: await loadTemplate(job.templateKey, job.templateVersion),
      model,
    });
    return built.kind === "whole" ? { promptPayload: built.payload, contextLeftOut: built.contextLeftOut } : null;
  } catch {
    return null;
  }
}

export const pageTextWrite = defineModelJobType({
  type: "page_text.write",
  validate: fitsOnAPage,
  reassemble: reassemblePagePrompt,
  land: (job) => applyPageJobResult(job.id),
});

export const pageTextRevise = defineModelJobType({
  type: "page_text.revise",
  validate: fitsOnAPage,
  reassemble: reassemblePagePrompt,
  land: (job) => applyPageJobResult(job.id),
});
