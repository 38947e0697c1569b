/**
 * A conservative token estimate (about 4 characters per token for English prose, rounded up). It only has to keep
 * prompts under a budget, so over-estimating is the safe side; real counts come back from the provider.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
