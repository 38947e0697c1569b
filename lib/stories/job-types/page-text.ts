import { defineModelJobType, GenerationError } from "@/lib/ai";
import { limits } from "../limits";
import { applyPageJobResult } from "../page-jobs/land";

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

export const pageTextWrite = defineModelJobType({
  type: "page_text.write",
  validate: fitsOnAPage,
  land: (job) => applyPageJobResult(job.id),
});

export const pageTextRevise = defineModelJobType({
  type: "page_text.revise",
  validate: fitsOnAPage,
  land: (job) => applyPageJobResult(job.id),
});
