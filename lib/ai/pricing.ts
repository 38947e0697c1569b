/**
 * USD per million tokens (input, output). An unknown model has no cost (null) rather than a wrong one.
 * Prices change: keep this table in step with the provider's price page when adding a model.
 */
const pricePerMillion: Record<string, { input: number; output: number }> = {
  "gpt-4o": { input: 2.5, output: 10 },
  "gpt-4o-mini": { input: 0.15, output: 0.6 },
  "gpt-4.1": { input: 2, output: 8 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4 },
  "gpt-5": { input: 1.25, output: 10 },
  "gpt-5-mini": { input: 0.25, output: 2 },
  "gpt-5-nano": { input: 0.05, output: 0.4 },
  offline: { input: 0, output: 0 },
};

/**
 * Decimal places of a stored cost (ai_jobs.cost_usd is numeric(16,10)). Micro-dollars were not enough: one token of
 * the cheapest models costs $0.00000005, so a small job priced to six places could be stored as $0 and many of them
 * summed to far less than they cost.
 */
export const COST_DECIMALS = 10;

/** A cost rounded as the ledger stores it. */
export function roundCost(usd: number): number {
  return Number(usd.toFixed(COST_DECIMALS));
}

export function costUsd(modelId: string, usage: { inputTokens: number; outputTokens: number }): number | null {
  const price = pricePerMillion[modelId];
  if (!price) return null;
  return roundCost((usage.inputTokens * price.input + usage.outputTokens * price.output) / 1_000_000);
}

/**
 * USD per generated image, by model and size (OpenAI's list prices at standard / medium quality). An unknown model or
 * size has no cost (null) rather than a wrong one.
 */
const pricePerImage: Record<string, Record<string, number>> = {
  "gpt-image-1": { "1024x1024": 0.042, "1024x1536": 0.063, "1536x1024": 0.063 },
  "gpt-image-1-mini": { "1024x1024": 0.011, "1024x1536": 0.015, "1536x1024": 0.015 },
  "dall-e-3": { "1024x1024": 0.04, "1024x1792": 0.08, "1792x1024": 0.08 },
  "dall-e-2": { "256x256": 0.016, "512x512": 0.018, "1024x1024": 0.02 },
};

export function imageCostUsd(modelId: string, size: string, images = 1): number | null {
  if (modelId === "offline-illustrator") return 0;
  const price = pricePerImage[modelId]?.[size];
  return price === undefined ? null : roundCost(price * images);
}
