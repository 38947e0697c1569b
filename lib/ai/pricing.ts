import { findModel, modelRegistry, publishedPrices } from "./model-registry";

/*
 * Prices have one source, the model registry (lib/ai/model-registry.ts): a registry file states each model's; the
 * single model the environment describes takes OpenAI's published prices for OpenAI's model names
 * (model-registry.ts), and none (no cost rather than a wrong one) for a name it does not know.
 */

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

/** The cost of a call to the registry entry `modelId` (what ai_jobs.model records); null when it has no price. */
export function costUsd(
  modelId: string,
  usage: { inputTokens: number; outputTokens: number },
  registry = modelRegistry(),
): number | null {
  // A job recorded under a model no longer in the registry (or a call made outside it) keeps OpenAI's published
  // price for an OpenAI model name.
  const entry = findModel(registry, modelId);
  const price = entry ? entry.prices : publishedPrices(modelId);
  if (!price) return null;
  return roundCost(
    (usage.inputTokens * price.inputPerMillion + usage.outputTokens * price.outputPerMillion) / 1_000_000,
  );
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
