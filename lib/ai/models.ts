import { createOpenAI } from "@ai-sdk/openai";
import type { LanguageModelV4 } from "@ai-sdk/provider";
import type { AiJobType } from "@/db/ai-schema";
import {
  findModel,
  inputBudgetFor,
  ModelConfigError,
  type ModelEntry,
  modelRegistry,
  type ModelTask,
  routeModel,
} from "./model-registry";
import { createOfflineModel } from "./offline-model";

export { ModelConfigError };

export interface ModelChoice {
  model: LanguageModelV4;
  provider: string;
  /** The registry entry's id: what the job row records (ai_jobs.model) and prices are looked up by. */
  modelId: string;
  /** What the UI and the job row call it. */
  label: string;
  offline: boolean;
  /** Input budget in tokens for the prompt (context is shortened to fit). */
  inputBudgetTokens: number;
}

type Env = Record<string, string | undefined>;

/** Which registry task a job type is routed as (a fan-out parent as its children). */
export function taskOfJobType(jobType: AiJobType | string): ModelTask {
  if (jobType === "page.summarize" || jobType === "story.summarize_pages") return "summary";
  if (jobType === "story.rollup") return "rollup";
  if (jobType === "codex.suggest" || jobType === "story.suggest_codex") return "codex";
  return "prose";
}

/**
 * The AI SDK model of a registry entry. A model object is always passed to the AI SDK: a bare string id would go to
 * the Vercel AI Gateway. An OpenAI-compatible server (Ollama, vLLM, LM Studio, llama.cpp) is called through the
 * chat-completions API.
 */
export function languageModelOf(entry: ModelEntry, env: Env = process.env): LanguageModelV4 {
  if (entry.provider === "offline") return createOfflineModel();
  const apiKey = entry.apiKeyEnv ? env[entry.apiKeyEnv] : undefined;
  if (entry.provider === "openai-compatible") {
    const provider = createOpenAI({
      baseURL: entry.baseUrl ?? undefined,
      apiKey: apiKey ?? "not-needed",
      name: "openai-compatible",
    });
    return provider.chat(entry.model);
  }
  if (!apiKey) throw new ModelConfigError(`Model ${entry.id}: ${entry.apiKeyEnv} is not set.`);
  return createOpenAI({ apiKey })(entry.model);
}

export function choiceOf(entry: ModelEntry, task: ModelTask = "prose", env: Env = process.env): ModelChoice {
  const registry = modelRegistry(env);
  return {
    model: languageModelOf(entry, env),
    provider: entry.provider,
    modelId: entry.id,
    label: entry.name,
    offline: entry.provider === "offline",
    inputBudgetTokens: inputBudgetFor(entry, task, registry),
  };
}

/**
 * The model for a job of `task` (default prose), routed through the registry (lib/ai/model-registry.ts): the story's
 * choice when it may serve the task, else the task's default. Without a registry file the environment's single
 * model, as before the registry.
 */
export function resolveModel(
  env: Env = process.env,
  options: { task?: ModelTask; storyChoice?: string | null } = {},
): ModelChoice {
  const task = options.task ?? "prose";
  return choiceOf(routeModel(task, options.storyChoice, modelRegistry(env)), task, env);
}

/**
 * The model a recorded job runs on: its registry entry by the id it recorded. A job recorded before a registry
 * change whose entry is gone runs on its task's default rather than failing.
 */
export function modelForJob(job: { model: string; jobType: string }, env: Env = process.env): ModelChoice {
  const registry = modelRegistry(env);
  const task = taskOfJobType(job.jobType);
  const entry = findModel(registry, job.model) ?? routeModel(task, null, registry);
  return choiceOf(entry, task, env);
}
