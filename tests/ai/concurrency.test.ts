import { afterEach, describe, expect, it, vi } from "vitest";
import { createRunAiJob } from "@/lib/ai/functions/run-ai-job";
import { aiConcurrency, LOCAL_AI_CONCURRENCY, REMOTE_AI_CONCURRENCY } from "@/lib/ai/concurrency";

describe("the global AI concurrency default", () => {
  it("stays low for the offline model", () => {
    expect(aiConcurrency({})).toBe(LOCAL_AI_CONCURRENCY);
    expect(LOCAL_AI_CONCURRENCY).toBe(4);
  });

  it("fits a remote provider: OpenAI, or an OpenAI-compatible server elsewhere", () => {
    expect(aiConcurrency({ OPENAI_API_KEY: "sk-test" })).toBe(REMOTE_AI_CONCURRENCY);
    expect(aiConcurrency({ OPENAI_BASE_URL: "https://openrouter.ai/api/v1", AI_MODEL: "m" })).toBe(20);
  });

  it("stays low for a model served on this machine or its network", () => {
    for (const url of [
      "http://localhost:11434/v1",
      "http://127.0.0.1:8080/v1",
      "http://[::1]:8080/v1",
      "http://192.168.1.20:11434/v1",
      "http://10.0.0.5/v1",
      "http://172.20.0.3/v1",
      "http://ollama:11434/v1",
      "http://gpu-box.local/v1",
      "http://host.docker.internal:11434/v1",
    ])
      expect(aiConcurrency({ OPENAI_BASE_URL: url, OPENAI_API_KEY: "k" }), url).toBe(LOCAL_AI_CONCURRENCY);
  });

  it("keeps AI_CONCURRENCY as the override, either way", () => {
    expect(aiConcurrency({ AI_CONCURRENCY: "7" })).toBe(7);
    expect(aiConcurrency({ AI_CONCURRENCY: "2", OPENAI_API_KEY: "k" })).toBe(2);
    // A value that is not a positive whole number is ignored, not obeyed.
    expect(aiConcurrency({ AI_CONCURRENCY: "0", OPENAI_API_KEY: "k" })).toBe(20);
    expect(aiConcurrency({ AI_CONCURRENCY: "lots" })).toBe(4);
  });
});

describe("run-ai-job's global limit", () => {
  afterEach(() => vi.unstubAllEnvs());

  const globalLimit = () => {
    const opts = createRunAiJob().opts as { concurrency: { key?: string; limit: number }[] };
    return opts.concurrency.find((c) => c.key === undefined)?.limit;
  };

  it("follows the model's default and the override", () => {
    vi.stubEnv("AI_CONCURRENCY", undefined);
    vi.stubEnv("OPENAI_BASE_URL", undefined);
    vi.stubEnv("OPENAI_API_KEY", "sk-test");
    expect(globalLimit()).toBe(20);
    vi.stubEnv("OPENAI_API_KEY", undefined);
    expect(globalLimit()).toBe(4);
    vi.stubEnv("AI_CONCURRENCY", "9");
    expect(globalLimit()).toBe(9);
  });
});
