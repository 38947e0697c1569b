import { defineModelJobType } from "@/lib/ai";
import { applyPageJobResult } from "../page-jobs/land";

/*
 * A page's text, written from blank or revised by instruction. Both use the shared render (the page's recorded
 * template and whole-story payload) and generate; they land on the page as an `ai` revision when the page is still
 * at the version the job started from, otherwise (or for a background revision's page) as a suggestion.
 */

export const pageTextWrite = defineModelJobType({ type: "page_text.write", land: (job) => applyPageJobResult(job.id) });

export const pageTextRevise = defineModelJobType({
  type: "page_text.revise",
  land: (job) => applyPageJobResult(job.id),
});
