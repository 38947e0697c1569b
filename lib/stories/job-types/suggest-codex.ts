import { defineFanOutJobType } from "@/lib/ai";
import { planCodexSuggestions } from "../codex/suggest/plan";
import { SUGGEST_CODEX_JOB_TYPE } from "../job-kinds";

/**
 * Suggest entries: one `codex.suggest` child per batch of pages (planned from the story as it is when the run
 * starts); the run ends with its last batch, its proposals waiting for the author's review.
 */
export const suggestCodex = defineFanOutJobType({
  type: SUGGEST_CODEX_JOB_TYPE,
  functionId: "suggest-codex",
  plan: planCodexSuggestions,
});
