import { defineModelJobType } from "@/lib/ai";
import { parseSuggestAnswer } from "../codex/suggest/answer";
import { landCodexSuggestions } from "../codex/suggest/land";
import { CODEX_SUGGEST_JOB_TYPE } from "../job-kinds";

/**
 * One batch of Suggest entries: the recorded codex_suggest prompt (its pages and the codex's names), an answer that
 * must be a JSON array of entries (otherwise the batch fails with GEN_MALFORMED_OUTPUT), landed as open suggestions.
 */
export const codexSuggest = defineModelJobType({
  type: CODEX_SUGGEST_JOB_TYPE,
  validate: (text) => {
    parseSuggestAnswer(text);
  },
  land: landCodexSuggestions,
});
