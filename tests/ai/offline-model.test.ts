import { MockLanguageModelV4 } from "ai/test";
import { simulateReadableStream } from "ai";
import { describe, expect, it } from "vitest";
import { GenerationError } from "@/lib/ai/generation-errors";
import { createOfflineModel, offlineText } from "@/lib/ai/offline-model";
import { streamGeneration } from "@/lib/ai/workflows/stream-generation";

const prompt = `The story so far, page by page.
--- Page 1 of 2 ---
The lighthouse at Gull Point had been dark when Mara Quill climbed the stairs. She found the logbook of her grandmother.
--- Page 2 of 2 >>> PAGE TO WRITE <<< ---
(blank)
Write page 2 so that it follows.`;

describe("offline model", () => {
  it("writes deterministic text that uses the story's own names", () => {
    const a = offlineText(prompt);
    expect(a).toBe(offlineText(prompt));
    expect(a).toContain("Mara");
    expect(a.split(" ").length).toBeGreaterThan(30);
    expect(offlineText(`${prompt} `)).not.toBe(undefined);
  });

  it("revises the current text and follows a 'shorter' instruction", () => {
    const current = "One. Two said very little. Three. Four. Five. Six.";
    const revise = `>>> PAGE TO REVISE <<<\n<<<\n${current}\n>>>\nThe writer's instruction: half as long\n`;
    const out = offlineText(revise);
    expect(out.length).toBeLessThan(current.length);
    expect(out).toContain("One.");
  });

  it("a revision without an instruction still changes the page, keeping its text", () => {
    const current = "Inside the lamp room she found a logbook. It read: the light is not for ships.";
    const prompt = `The whole story for context, page by page.\n--- Page 1 of 1 >>> PAGE TO REVISE <<< ---\n<<<\n${current}\n>>>\n`;
    const out = offlineText(prompt);
    expect(out).not.toBe(current);
    expect(out).toContain("Inside the lamp room she found a logbook.");
    expect(out).toContain("It read: the light is not for ships.");
    expect(offlineText(prompt)).toBe(out);
  });

  it("streams word by word through the AI SDK and reports usage", async () => {
    const partials: string[] = [];
    const result = await streamGeneration({
      model: createOfflineModel({ msPerWord: 0 }),
      prompt,
      stallTimeoutMs: 5000,
      totalTimeoutMs: 10_000,
      flushIntervalMs: 0,
      onPartial: (t) => {
        partials.push(t);
      },
    });
    expect(result.text).toBe(offlineText(prompt));
    expect(partials.length).toBeGreaterThan(5);
    expect(partials.at(-1)).toBe(result.text);
    for (let i = 1; i < partials.length; i++) expect(partials[i]!.startsWith(partials[i - 1]!)).toBe(true);
    expect(result.inputTokens).toBeGreaterThan(0);
    expect(result.outputTokens).toBeGreaterThan(0);
    expect(result.firstTokenAt).toBeInstanceOf(Date);
  });

  it("stops with GEN_CANCELLED when the caller aborts", async () => {
    const controller = new AbortController();
    const run = streamGeneration({
      model: createOfflineModel({ msPerWord: 20 }),
      prompt,
      signal: controller.signal,
      stallTimeoutMs: 5000,
      totalTimeoutMs: 10_000,
      onPartial: () => controller.abort(),
      flushIntervalMs: 0,
    });
    await expect(run).rejects.toMatchObject({ code: "GEN_CANCELLED" });
  });
});

describe("streamGeneration with a mock model", () => {
  const usage = {
    inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: 0, text: 0, reasoning: 0 },
  };
  it("turns an empty answer into GEN_EMPTY_OUTPUT", async () => {
    const model = new MockLanguageModelV4({
      doStream: async () => ({
        stream: simulateReadableStream({
          chunks: [
            { type: "text-start", id: "0" },
            { type: "text-end", id: "0" },
            { type: "finish", usage, finishReason: { unified: "stop", raw: "stop" } },
          ],
        }),
      }),
    });
    const run = streamGeneration({ model, prompt: "x", stallTimeoutMs: 1000, totalTimeoutMs: 5000 });
    await expect(run).rejects.toBeInstanceOf(GenerationError);
    await expect(run).rejects.toMatchObject({ code: "GEN_EMPTY_OUTPUT" });
  });

  it("turns a stalled stream into GEN_TIMEOUT", async () => {
    const model = new MockLanguageModelV4({
      doStream: async ({ abortSignal }) => ({
        stream: new ReadableStream({
          start(controller) {
            controller.enqueue({ type: "text-start", id: "0" });
            controller.enqueue({ type: "text-delta", id: "0", delta: "Once" });
            abortSignal?.addEventListener("abort", () => controller.error(abortSignal.reason));
          },
        }),
      }),
    });
    const run = streamGeneration({ model, prompt: "x", stallTimeoutMs: 50, totalTimeoutMs: 5000 });
    await expect(run).rejects.toMatchObject({ code: "GEN_TIMEOUT" });
  });
});
