import type { LanguageModelV4 } from "@ai-sdk/provider";
import type { ModelChoice } from "@/lib/ai/models";

/**
 * The model choice the app makes for its offline model, around `model` (the offline model itself, or one wrapping it
 * behind a gate a test holds): what the runners' `model` option returns.
 */
export function offlineChoice(model: LanguageModelV4): () => ModelChoice {
  return () => ({
    model,
    provider: "offline",
    modelId: "offline",
    label: "offline model",
    offline: true,
    inputBudgetTokens: 8000,
  });
}
