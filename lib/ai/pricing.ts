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
