import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_INPUT_CAP_TOKENS,
  inputBudgetFor,
  modelChain,
  modelRegistry,
  type ModelsFile,
  parseModelRegistry,
  routeModel,
} from "@/lib/ai/model-registry";
import { modelForJob, resolveModel, taskOfJobType } from "@/lib/ai/models";
import { costUsd } from "@/lib/ai/pricing";
import { getModelRegistryView } from "@/lib/stories";

const file = (models: unknown[], extra: Record<string, unknown> = {}) => ({ models, ...extra }) as ModelsFile;
const offline = { id: "local", provider: "offline", contextWindow: 10_000, outputReserveTokens: 2000 };
const cheap = {
  id: "cheap",
  provider: "openai-compatible",
  baseUrl: "http://llm.internal:8000/v1",
  model: "small-7b",
  name: "Small",
  prices: { inputPerMillion: 0.1, outputPerMillion: 0.2 },
  contextWindow: 8192,
  tasks: ["summary", "rollup", "codex"],
  concurrency: 3,
};
const big = {
  id: "big",
  provider: "openai",
  apiKeyEnv: "BIG_KEY",
  model: "gpt-4o",
  prices: { inputPerMillion: 2.5, outputPerMillion: 10, perImage: 0.04 },
  contextWindow: 128_000,
  fallbacks: ["local"],
};
const env = { BIG_KEY: "sk-test" };

function writeFile(content: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "models-"));
  const p = path.join(dir, "models.json");
  fs.writeFileSync(p, JSON.stringify(content));
  return p;
}

describe("model registry: validation", () => {
  it("accepts a file of several models and fills the defaults", () => {
    const registry = parseModelRegistry(file([big, cheap, offline], { defaults: { summary: "cheap" } }), "t", env);
    expect(registry.models.map((m) => m.id)).toEqual(["big", "cheap", "local"]);
    expect(registry.defaults).toEqual({ prose: "big", summary: "cheap", rollup: "big", codex: "big" });
    expect(registry.models[1]).toMatchObject({ model: "small-7b", concurrency: 3, apiKeyEnv: null });
    expect(registry.models[2]).toMatchObject({ model: "offline", name: "local", prices: null });
    expect(registry.inputCaps.prose).toBe(DEFAULT_INPUT_CAP_TOKENS);
  });

  it.each([
    ["a model without a provider", [{ id: "x", contextWindow: 8000 }], /models\[0\]\.provider: provider is required/],
    [
      "a negative price",
      [{ ...offline, prices: { inputPerMillion: -1, outputPerMillion: 0 } }],
      /models\[0\]\.prices\.inputPerMillion: prices\.inputPerMillion must not be negative/,
    ],
    ["no context window", [{ id: "x", provider: "offline" }], /models\[0\]\.contextWindow: contextWindow is required/],
    ["a compatible server without a URL", [{ ...cheap, baseUrl: undefined }], /models\[0\]\.baseUrl: required/],
    ["an OpenAI model whose key is not set", [{ ...big, apiKeyEnv: "NOPE" }, offline], /apiKeyEnv: .*NOPE is not set/],
    ["a duplicate id", [offline, offline], /models\[1\]\.id: "local" is listed twice/],
    [
      "an unknown fallback",
      [{ ...offline, fallbacks: ["gone"] }],
      /models\[0\]\.fallbacks\[0\]: no model with id "gone"/,
    ],
    ["a task no model serves", [cheap], /no model serves the task prose/],
    ["an unknown field (a key pasted in)", [{ ...offline, apiKey: "sk-123" }], /models\[0\]: Unrecognized key/],
  ])("refuses %s, naming the field", (_name, models, message) => {
    expect(() => parseModelRegistry(file(models as unknown[]), "t", env)).toThrow(message);
  });

  it("refuses a default that does not serve its task", () => {
    expect(() => parseModelRegistry(file([cheap, offline], { defaults: { prose: "cheap" } }), "t", env)).toThrow(
      /defaults\.prose: "cheap" does not serve prose/,
    );
  });

  it("reads AI_MODELS_FILE; an unreadable or invalid file stops with its name", () => {
    const p = writeFile(file([offline]));
    expect(modelRegistry({ AI_MODELS_FILE: p }).source).toBe(p);
    expect(() => modelRegistry({ AI_MODELS_FILE: path.join(os.tmpdir(), "no-such-models.json") })).toThrow(
      /AI_MODELS_FILE .* cannot be read as JSON/,
    );
    const bad = writeFile(file([{ ...offline, prices: { inputPerMillion: 1, outputPerMillion: -2 } }]));
    expect(() => modelRegistry({ AI_MODELS_FILE: bad })).toThrow(/prices\.outputPerMillion/);
  });

  it("without a file, the environment describes one model exactly as before", () => {
    expect(resolveModel({})).toMatchObject({ provider: "offline", modelId: "offline", inputBudgetTokens: 8000 });
    expect(resolveModel({ OPENAI_API_KEY: "sk" })).toMatchObject({
      provider: "openai",
      modelId: "gpt-4o-mini",
      inputBudgetTokens: DEFAULT_INPUT_CAP_TOKENS,
    });
    expect(resolveModel({ OPENAI_BASE_URL: "http://localhost:11434/v1", AI_MODEL: "llama3.1" })).toMatchObject({
      provider: "openai-compatible",
      modelId: "llama3.1",
      inputBudgetTokens: 8000,
    });
    expect(resolveModel({ AI_INPUT_BUDGET_TOKENS: "1500" }).inputBudgetTokens).toBe(1500);
    expect(() => resolveModel({ OPENAI_BASE_URL: "http://x" })).toThrow(/AI_MODEL must name/);
  });
});

describe("model registry: prices, routing, budgets", () => {
  const registry = parseModelRegistry(
    file([big, cheap, offline], { inputCaps: { summary: 3000 }, defaults: { summary: "cheap" } }),
    "t",
    env,
  );

  it("prices come from the registry entry", () => {
    expect(costUsd("cheap", { inputTokens: 1_000_000, outputTokens: 1_000_000 }, registry)).toBeCloseTo(0.3, 9);
    expect(costUsd("big", { inputTokens: 2000, outputTokens: 500 }, registry)).toBeCloseTo(0.01, 9);
    // An entry without prices has no cost rather than a wrong one.
    expect(costUsd("local", { inputTokens: 1000, outputTokens: 1000 }, registry)).toBeNull();
  });

  it("routes each job type to its task's default; a story's choice only where it serves the task", () => {
    expect(taskOfJobType("page_text.write")).toBe("prose");
    expect(taskOfJobType("page.summarize")).toBe("summary");
    expect(taskOfJobType("story.rollup")).toBe("rollup");
    expect(taskOfJobType("codex.suggest")).toBe("codex");
    expect(routeModel("prose", null, registry).id).toBe("big");
    expect(routeModel("summary", null, registry).id).toBe("cheap");
    expect(routeModel("prose", "local", registry).id).toBe("local");
    // cheap does not serve prose; a model removed from the file since: both fall back to the default.
    expect(routeModel("prose", "cheap", registry).id).toBe("big");
    expect(routeModel("prose", "removed", registry).id).toBe("big");
  });

  it("the prompt budget is the context window less the output reserve, capped per task", () => {
    const [b, c, l] = registry.models as [never, never, never];
    expect(inputBudgetFor(b, "prose", registry)).toBe(16_000);
    expect(inputBudgetFor(b, "summary", registry)).toBe(3000);
    expect(inputBudgetFor(c, "codex", registry)).toBe(8192 - 4096);
    expect(inputBudgetFor(l, "prose", registry)).toBe(8000);
  });

  it("a model's chain is itself, then its fallbacks", () => {
    expect(modelChain(registry.models[0]!, registry).map((m) => m.id)).toEqual(["big", "local"]);
    expect(modelChain(registry.models[2]!, registry).map((m) => m.id)).toEqual(["local"]);
  });

  it("a job runs on the entry it recorded, with that task's budget", () => {
    const p = writeFile(file([big, cheap, offline], { defaults: { summary: "cheap" } }));
    const e = { AI_MODELS_FILE: p, ...env };
    expect(modelForJob({ model: "cheap", jobType: "page.summarize" }, e)).toMatchObject({
      modelId: "cheap",
      provider: "openai-compatible",
      inputBudgetTokens: 8192 - 4096,
    });
    expect(modelForJob({ model: "gone", jobType: "page.summarize" }, e).modelId).toBe("cheap");
  });
});

describe("admin view", () => {
  it("admins only; keys are named, never shown", () => {
    expect(() => getModelRegistryView(null)).toThrow(expect.objectContaining({ code: "UNAUTHENTICATED" }));
    expect(() => getModelRegistryView({ id: crypto.randomUUID(), role: "author" } as never)).toThrow(
      expect.objectContaining({ code: "NOT_FOUND" }),
    );
    const view = getModelRegistryView({ id: crypto.randomUUID(), role: "admin" } as never);
    expect(view.models[0]).toMatchObject({ id: "offline", provider: "offline" });
    expect(JSON.stringify(view)).not.toMatch(/sk-/);
  });
});
