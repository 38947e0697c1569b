import { createOpenAI } from "@ai-sdk/openai";
import type { LanguageModelV4 } from "@ai-sdk/provider";
import { createOfflineModel, OFFLINE_MODEL_ID, OFFLINE_PROVIDER } from "./offline-model";

export interface ModelChoice {
  model: LanguageModelV4;
  provider: string;
  modelId: string;
  /** What the UI and the job row call it. */
  label: string;
  offline: boolean;
  /** Input budget in tokens for the prompt (context is shortened to fit). */
  inputBudgetTokens: number;
}

export class ModelConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ModelConfigError";
  }
}

type Env = Record<string, string | undefined>;

function budget(env: Env, fallback: number): number {
  const value = Number(env.AI_INPUT_BUDGET_TOKENS ?? fallback);
  if (!Number.isInteger(value) || value < 500) {
    throw new ModelConfigError(
      `AI_INPUT_BUDGET_TOKENS must be a whole number ≥ 500 (got ${env.AI_INPUT_BUDGET_TOKENS}).`,
    );
  }
  return value;
}

/**
 * Picks the model from the environment:
 * - OPENAI_BASE_URL → any OpenAI-compatible server through the chat-completions API (Ollama, vLLM, LM Studio, llama.cpp);
 * - OPENAI_API_KEY → OpenAI itself;
 * - neither → the built-in offline model.
 * A model object is always passed to the AI SDK: a bare string id would go to the Vercel AI Gateway.
 */
export function resolveModel(env: Env = process.env): ModelChoice {
  if (env.OPENAI_BASE_URL) {
    const modelId = env.AI_MODEL;
    if (!modelId)
      throw new ModelConfigError("OPENAI_BASE_URL is set, so AI_MODEL must name the model to use (e.g. llama3.1).");
    const provider = createOpenAI({
      baseURL: env.OPENAI_BASE_URL,
      apiKey: env.OPENAI_API_KEY ?? "not-needed",
      name: "openai-compatible",
    });
    return {
      model: provider.chat(modelId),
      provider: "openai-compatible",
      modelId,
      label: modelId,
      offline: false,
      inputBudgetTokens: budget(env, 8000),
    };
  }
  if (env.OPENAI_API_KEY) {
    const modelId = env.AI_MODEL ?? "gpt-4o-mini";
    const provider = createOpenAI({ apiKey: env.OPENAI_API_KEY });
    return {
      model: provider(modelId),
      provider: "openai",
      modelId,
      label: modelId,
      offline: false,
      inputBudgetTokens: budget(env, 100_000),
    };
  }
  return {
    model: createOfflineModel(),
    provider: OFFLINE_PROVIDER,
    modelId: OFFLINE_MODEL_ID,
    label: "offline model",
    offline: true,
    inputBudgetTokens: budget(env, 8000),
  };
}
