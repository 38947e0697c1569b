import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { LOCAL_AI_CONCURRENCY, REMOTE_AI_CONCURRENCY, isLocalHost } from "./concurrency";
import { OFFLINE_MODEL_ID } from "./offline-model";

/*
 * The model registry: every model this install may call, with its prices, context window, the tasks it may serve,
 * its concurrency and its fallbacks. Read from the JSON file named by AI_MODELS_FILE; without one, the environment
 * (OPENAI_API_KEY / OPENAI_BASE_URL / AI_MODEL) describes a single entry exactly as before the registry, so current
 * setups change nothing. Keys never appear here: an entry names the environment variable holding its key.
 */

type Env = Record<string, string | undefined>;

/** What a model may be asked to do; job types map onto these (taskOfJobType). */
export const modelTasks = ["prose", "summary", "rollup", "codex"] as const;
export type ModelTask = (typeof modelTasks)[number];

export const modelProviders = ["offline", "openai", "openai-compatible"] as const;
export type ModelProvider = (typeof modelProviders)[number];

/** The prompt budget's cap when the registry names none (../shared/docs/DECISIONS.md "Budgets, two words"). */
export const DEFAULT_INPUT_CAP_TOKENS = 16_000;
export const DEFAULT_OUTPUT_RESERVE_TOKENS = 4096;
const MIN_INPUT_BUDGET = 500;

const price = (field: string) =>
  z.number({ error: `${field} must be a number (USD)` }).min(0, { error: `${field} must not be negative` });

const entrySchema = z
  .object({
    /** The name jobs record (ai_jobs.model) and stories choose by; stable across renames of the display name. */
    id: z
      .string({ error: "id is required" })
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/, { error: "id: letters, digits and . _ : / - (at most 100)" }),
    provider: z.enum(modelProviders, { error: `provider is required: one of ${modelProviders.join(", ")}` }),
    /** The model name sent to the provider (default: the id). */
    model: z.string().min(1).optional(),
    name: z.string().min(1).max(100).optional(),
    baseUrl: z.url({ error: "baseUrl must be a URL (http://host:port/v1)" }).optional(),
    /** The environment variable holding the key (the key itself never goes in this file). */
    apiKeyEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, { error: "apiKeyEnv names an environment variable (A-Z, 0-9, _)" })
      .optional(),
    /** USD; omitted = the cost is unknown (recorded as none rather than a wrong one). */
    prices: z
      .object({
        inputPerMillion: price("prices.inputPerMillion"),
        outputPerMillion: price("prices.outputPerMillion"),
        perImage: price("prices.perImage").optional(),
      })
      .strict()
      .optional(),
    contextWindow: z
      .number({ error: "contextWindow is required (tokens)" })
      .int()
      .min(1000, { error: "contextWindow must be at least 1000 tokens" }),
    /** Tokens of the context window kept for the answer. */
    outputReserveTokens: z.number().int().min(0).default(DEFAULT_OUTPUT_RESERVE_TOKENS),
    tasks: z
      .array(z.enum(modelTasks))
      .min(1)
      .default([...modelTasks]),
    /** Calls of this model at once (default: 20 remote, 4 offline or on this machine's network). */
    concurrency: z.number().int().min(1).max(1000).optional(),
    /** The models tried next, in order, when this one's provider stays unavailable after its retries. */
    fallbacks: z.array(z.string()).default([]),
  })
  .strict();

const fileSchema = z
  .object({
    models: z.array(entrySchema).min(1, { error: "models must list at least one model" }),
    /** The model each task uses unless a story chose another (default: the first entry serving the task). */
    defaults: z.partialRecord(z.enum(modelTasks), z.string()).optional(),
    /** The prompt budget's cap per task (default 16,000 input tokens). */
    inputCaps: z.partialRecord(z.enum(modelTasks), z.number().int().min(MIN_INPUT_BUDGET).max(2_000_000)).optional(),
  })
  .strict();

export type ModelsFile = z.input<typeof fileSchema>;

export interface ModelEntry {
  id: string;
  provider: ModelProvider;
  model: string;
  name: string;
  baseUrl: string | null;
  apiKeyEnv: string | null;
  prices: { inputPerMillion: number; outputPerMillion: number; perImage: number | null } | null;
  contextWindow: number;
  outputReserveTokens: number;
  tasks: ModelTask[];
  concurrency: number;
  fallbacks: string[];
}

export interface ModelRegistry {
  /** Where it came from, for the admin page: the file's path or "environment". */
  source: string;
  models: ModelEntry[];
  defaults: Record<ModelTask, string>;
  inputCaps: Record<ModelTask, number>;
}

export class ModelConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ModelConfigError";
  }
}

/**
 * Published OpenAI prices (USD per million tokens), used only for the single entry the environment describes; a
 * registry file states its own. Keep in step with the provider's price page.
 */
const OPENAI_PRICES: Record<string, { input: number; output: number }> = {
  "gpt-4o": { input: 2.5, output: 10 },
  "gpt-4o-mini": { input: 0.15, output: 0.6 },
  "gpt-4.1": { input: 2, output: 8 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4 },
  "gpt-5": { input: 1.25, output: 10 },
  "gpt-5-mini": { input: 0.25, output: 2 },
  "gpt-5-nano": { input: 0.05, output: 0.4 },
};

export function publishedPrices(modelId: string): ModelEntry["prices"] {
  const known = OPENAI_PRICES[modelId];
  return known ? { inputPerMillion: known.input, outputPerMillion: known.output, perImage: null } : null;
}

function defaultConcurrency(provider: ModelProvider, baseUrl: string | null): number {
  if (provider === "offline") return LOCAL_AI_CONCURRENCY;
  if (!baseUrl) return REMOTE_AI_CONCURRENCY;
  try {
    return isLocalHost(new URL(baseUrl).hostname) ? LOCAL_AI_CONCURRENCY : REMOTE_AI_CONCURRENCY;
  } catch {
    return LOCAL_AI_CONCURRENCY;
  }
}

/** AI_INPUT_BUDGET_TOKENS, when set, caps every task's prompt (as it set the one budget before the registry). */
function envInputCap(env: Env): number | null {
  if (env.AI_INPUT_BUDGET_TOKENS === undefined || env.AI_INPUT_BUDGET_TOKENS === "") return null;
  const value = Number(env.AI_INPUT_BUDGET_TOKENS);
  if (!Number.isInteger(value) || value < MIN_INPUT_BUDGET)
    throw new ModelConfigError(
      `AI_INPUT_BUDGET_TOKENS must be a whole number ≥ ${MIN_INPUT_BUDGET} (got ${env.AI_INPUT_BUDGET_TOKENS}).`,
    );
  return value;
}

const allTasks = (value: string): Record<ModelTask, string> =>
  Object.fromEntries(modelTasks.map((t) => [t, value])) as Record<ModelTask, string>;
const allCaps = (value: number): Record<ModelTask, number> =>
  Object.fromEntries(modelTasks.map((t) => [t, value])) as Record<ModelTask, number>;

/**
 * The single entry of an install without a registry file, as resolveModel chose before: OPENAI_BASE_URL → an
 * OpenAI-compatible server, OPENAI_API_KEY → OpenAI, neither → the offline model. Its budgets are those of then
 * (8,000 tokens offline or compatible); OpenAI's is the shared cap, 16,000.
 */
function environmentEntry(env: Env): ModelEntry {
  if (env.OPENAI_BASE_URL) {
    const modelId = env.AI_MODEL;
    if (!modelId)
      throw new ModelConfigError("OPENAI_BASE_URL is set, so AI_MODEL must name the model to use (e.g. llama3.1).");
    try {
      new URL(env.OPENAI_BASE_URL);
    } catch {
      throw new ModelConfigError(`OPENAI_BASE_URL must be a URL (got ${env.OPENAI_BASE_URL}).`);
    }
    return {
      id: modelId,
      provider: "openai-compatible",
      model: modelId,
      name: modelId,
      baseUrl: env.OPENAI_BASE_URL,
      apiKeyEnv: env.OPENAI_API_KEY ? "OPENAI_API_KEY" : null,
      prices: publishedPrices(modelId),
      contextWindow: 8000 + 2000,
      outputReserveTokens: 2000,
      tasks: [...modelTasks],
      concurrency: defaultConcurrency("openai-compatible", env.OPENAI_BASE_URL),
      fallbacks: [],
    };
  }
  if (env.OPENAI_API_KEY) {
    const modelId = env.AI_MODEL ?? "gpt-4o-mini";
    return {
      id: modelId,
      provider: "openai",
      model: modelId,
      name: modelId,
      baseUrl: null,
      apiKeyEnv: "OPENAI_API_KEY",
      prices: publishedPrices(modelId),
      contextWindow: 128_000,
      outputReserveTokens: 16_384,
      tasks: [...modelTasks],
      concurrency: REMOTE_AI_CONCURRENCY,
      fallbacks: [],
    };
  }
  return {
    id: OFFLINE_MODEL_ID,
    provider: "offline",
    model: OFFLINE_MODEL_ID,
    name: "offline model",
    baseUrl: null,
    apiKeyEnv: null,
    prices: { inputPerMillion: 0, outputPerMillion: 0, perImage: 0 },
    contextWindow: 8000 + 2000,
    outputReserveTokens: 2000,
    tasks: [...modelTasks],
    concurrency: LOCAL_AI_CONCURRENCY,
    fallbacks: [],
  };
}

/** "models[1].prices.inputPerMillion" from a zod issue path. */
function fieldName(issuePath: readonly PropertyKey[]): string {
  let out = "";
  for (const part of issuePath) out += typeof part === "number" ? `[${part}]` : `${out ? "." : ""}${String(part)}`;
  return out || "(file)";
}

/**
 * Validates a registry file's content (already parsed JSON). Every problem names its field; cross-checks: ids
 * unique, defaults and fallbacks name entries that exist (a default one that serves its task), every task has a
 * model, an OpenAI-compatible entry has a base URL, an OpenAI entry's key variable is set.
 */
export function parseModelRegistry(content: unknown, source: string, env: Env = process.env): ModelRegistry {
  const parsed = fileSchema.safeParse(content);
  const where = `Model registry ${source}`;
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${fieldName(i.path)}: ${i.message}`);
    throw new ModelConfigError(`${where}: ${problems.join("; ")}`);
  }
  const problems: string[] = [];
  const ids = new Set<string>();
  const models: ModelEntry[] = parsed.data.models.map((m, index) => {
    const at = `models[${index}]`;
    if (ids.has(m.id)) problems.push(`${at}.id: "${m.id}" is listed twice`);
    ids.add(m.id);
    if (m.provider === "openai-compatible" && !m.baseUrl)
      problems.push(`${at}.baseUrl: required for provider openai-compatible`);
    if (m.provider === "openai" && !env[m.apiKeyEnv ?? "OPENAI_API_KEY"])
      problems.push(`${at}.apiKeyEnv: the environment variable ${m.apiKeyEnv ?? "OPENAI_API_KEY"} is not set`);
    if (m.contextWindow - m.outputReserveTokens < MIN_INPUT_BUDGET)
      problems.push(`${at}.outputReserveTokens: leaves less than ${MIN_INPUT_BUDGET} tokens of contextWindow`);
    const modelId = m.model ?? (m.provider === "offline" ? OFFLINE_MODEL_ID : m.id);
    return {
      id: m.id,
      provider: m.provider,
      model: modelId,
      name: m.name ?? m.id,
      baseUrl: m.baseUrl ?? null,
      apiKeyEnv: m.apiKeyEnv ?? (m.provider === "openai" ? "OPENAI_API_KEY" : null),
      prices: m.prices
        ? {
            inputPerMillion: m.prices.inputPerMillion,
            outputPerMillion: m.prices.outputPerMillion,
            perImage: m.prices.perImage ?? null,
          }
        : null,
      contextWindow: m.contextWindow,
      outputReserveTokens: m.outputReserveTokens,
      tasks: [...new Set(m.tasks)],
      concurrency: m.concurrency ?? defaultConcurrency(m.provider, m.baseUrl ?? null),
      fallbacks: m.fallbacks,
    };
  });
  models.forEach((m, index) => {
    m.fallbacks.forEach((f, i) => {
      if (!ids.has(f)) problems.push(`models[${index}].fallbacks[${i}]: no model with id "${f}"`);
      else if (f === m.id) problems.push(`models[${index}].fallbacks[${i}]: a model cannot fall back to itself`);
    });
  });
  const defaults = {} as Record<ModelTask, string>;
  for (const task of modelTasks) {
    const named = parsed.data.defaults?.[task];
    if (named !== undefined) {
      const entry = models.find((m) => m.id === named);
      if (!entry) problems.push(`defaults.${task}: no model with id "${named}"`);
      else if (!entry.tasks.includes(task)) problems.push(`defaults.${task}: "${named}" does not serve ${task}`);
      defaults[task] = named;
      continue;
    }
    const first = models.find((m) => m.tasks.includes(task));
    if (!first) problems.push(`models: no model serves the task ${task}`);
    else defaults[task] = first.id;
  }
  if (problems.length > 0) throw new ModelConfigError(`${where}: ${problems.join("; ")}`);
  const envCap = envInputCap(env);
  const inputCaps = allCaps(envCap ?? DEFAULT_INPUT_CAP_TOKENS);
  for (const task of modelTasks) {
    const cap = parsed.data.inputCaps?.[task];
    if (cap !== undefined) inputCaps[task] = cap;
  }
  return { source, models, defaults, inputCaps };
}

function buildRegistry(env: Env): ModelRegistry {
  const file = env.AI_MODELS_FILE;
  if (!file) {
    const entry = environmentEntry(env);
    const cap = envInputCap(env) ?? DEFAULT_INPUT_CAP_TOKENS;
    return { source: "environment", models: [entry], defaults: allTasks(entry.id), inputCaps: allCaps(cap) };
  }
  const resolved = path.resolve(file);
  let content: unknown;
  try {
    content = JSON.parse(readFileSync(resolved, "utf8"));
  } catch (error) {
    throw new ModelConfigError(
      `AI_MODELS_FILE ${resolved} cannot be read as JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return parseModelRegistry(content, file, env);
}

const cache = { key: "", registry: null as ModelRegistry | null };

/** The variables the registry is built from: a change of any of them (a test's stubbed env) builds it again. */
function cacheKey(env: Env): string {
  return JSON.stringify([
    env.AI_MODELS_FILE,
    env.OPENAI_BASE_URL,
    env.OPENAI_API_KEY ? "key" : "",
    env.AI_MODEL,
    env.AI_INPUT_BUDGET_TOKENS,
  ]);
}

/** The registry of this process (read once; an invalid one throws ModelConfigError, which stops the start). */
export function modelRegistry(env: Env = process.env): ModelRegistry {
  if (env !== process.env) return buildRegistry(env);
  const key = cacheKey(env);
  if (cache.registry && cache.key === key) return cache.registry;
  const registry = buildRegistry(env);
  cache.key = key;
  cache.registry = registry;
  return registry;
}

export function findModel(registry: ModelRegistry, id: string): ModelEntry | undefined {
  return registry.models.find((m) => m.id === id);
}

/** The models an author may choose for a story: those serving prose. */
export function storyModelChoices(registry: ModelRegistry = modelRegistry()): ModelEntry[] {
  return registry.models.filter((m) => m.tasks.includes("prose"));
}

/**
 * The entry a job of `task` uses: the story's choice when it is still in the registry and serves the task (a choice
 * removed from the file since falls back to the default rather than failing the author's request), else the task's
 * default.
 */
export function routeModel(task: ModelTask, storyChoice?: string | null, registry = modelRegistry()): ModelEntry {
  if (storyChoice) {
    const chosen = findModel(registry, storyChoice);
    if (chosen?.tasks.includes(task)) return chosen;
  }
  return findModel(registry, registry.defaults[task]) as ModelEntry;
}

/**
 * The prompt budget of `task` on `entry`: its context window less the answer's reserve, capped per task so that a
 * large window never runs up a bill.
 */
export function inputBudgetFor(entry: ModelEntry, task: ModelTask, registry = modelRegistry()): number {
  return Math.max(
    MIN_INPUT_BUDGET,
    Math.min(entry.contextWindow - entry.outputReserveTokens, registry.inputCaps[task]),
  );
}

/** The entry and then its fallbacks, each once, in order (a fallback's own fallbacks are not followed). */
export function modelChain(entry: ModelEntry, registry = modelRegistry()): ModelEntry[] {
  const chain = [entry];
  for (const id of entry.fallbacks) {
    const next = findModel(registry, id);
    if (next && !chain.includes(next)) chain.push(next);
  }
  return chain;
}

/** What the admin page shows: everything but a key (an entry only names its variable, and whether it is set). */
export function describeRegistry(registry: ModelRegistry = modelRegistry(), env: Env = process.env) {
  return {
    source: registry.source,
    defaults: registry.defaults,
    inputCaps: registry.inputCaps,
    models: registry.models.map((m) => ({
      ...m,
      keySet: m.apiKeyEnv ? Boolean(env[m.apiKeyEnv]) : null,
      inputBudgets: Object.fromEntries(m.tasks.map((t) => [t, inputBudgetFor(m, t, registry)])) as Partial<
        Record<ModelTask, number>
      >,
    })),
  };
}
export type RegistryView = ReturnType<typeof describeRegistry>;
