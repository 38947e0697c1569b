import { countTokens as countO200kTokens } from "gpt-tokenizer/encoding/o200k_base";

/**
 * Tokens of `text` with o200k_base, the encoding of OpenAI's current models (gpt-tokenizer bundles it: nothing is
 * downloaded at run time). This is the count stored with pages, summaries and codex entries; prompt assembly for a
 * model of another family derives its estimate from it (lib/ai/context explains how).
 */
export function countTokens(text: string): number {
  return text === "" ? 0 : countO200kTokens(text);
}

/**
 * A conservative token estimate (about 4 characters per token for English prose, rounded up). It only has to keep
 * prompts under a budget, so over-estimating is the safe side; real counts come back from the provider.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
