import { countTokens } from "../tokens";

/**
 * How a prompt's tokens are counted.
 *
 * - `o200k`: exact o200k_base counts (gpt-tokenizer), the encoding of OpenAI's current models. Used for OpenAI and for
 *   the offline model. The counts stored with pages, summaries and codex entries are o200k counts, so assembly adds
 *   them instead of tokenizing again.
 * - `estimate`: any other model (an OpenAI-compatible server running Llama, Mistral, Qwen, ...), whose tokenizer we do
 *   not ship. The estimate is the o200k count × 1.3, rounded up. o200k is one of the most compact tokenizers for
 *   English and European languages; the tokenizers of open models measure 5–30% more tokens on the same prose, so
 *   the factor keeps a prompt under a budget set in the model's own tokens. It is derived from the stored count, so
 *   it costs nothing extra at assembly time.
 */
export type TokenCounting = "o200k" | "estimate";

export const ESTIMATE_FACTOR = 1.3;

/** OpenAI's own models and the offline model count exactly; everything else is estimated. */
export function tokenCountingFor(model: { provider: string; offline: boolean }): TokenCounting {
  return model.offline || model.provider === "openai" ? "o200k" : "estimate";
}

/** An o200k count expressed in the counting mode's tokens. */
export function scaleTokens(o200k: number, counting: TokenCounting): number {
  return counting === "o200k" || o200k === 0 ? o200k : Math.ceil(o200k * ESTIMATE_FACTOR);
}

/** Tokens of `text` in the counting mode, from its stored o200k count when there is one. */
export function tokensOf(text: string, counting: TokenCounting, storedO200k?: number | null): number {
  return scaleTokens(storedO200k ?? countTokens(text), counting);
}

/**
 * Tokens of a prefix of a text whose whole count is known, without tokenizing it: its share of the characters, with
 * a margin (30% + 3) for a prefix denser in tokens than the rest (names, numbers). Never more than the whole.
 * Roll-ups are built from such prefixes of hundreds of pages; tokenizing each would cost more than the assembly.
 */
export function prefixTokens(prefixChars: number, wholeChars: number, wholeTokens: number): number {
  if (prefixChars >= wholeChars) return wholeTokens;
  return Math.min(wholeTokens, Math.ceil(((wholeTokens * prefixChars) / Math.max(1, wholeChars)) * 1.3) + 3);
}
