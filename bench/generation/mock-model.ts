import type { LanguageModelV4CallOptions, LanguageModelV4StreamPart } from "@ai-sdk/provider";
import { MockLanguageModelV4 } from "ai/test";
import type { ModelChoice } from "@/lib/ai/models";

/**
 * The benchmark's model: a MockLanguageModelV4 that answers with a few words, either at once ("instant") or spread
 * evenly over `totalMs` (e.g. 500 ms). It times itself: from the doStream call to the moment it closes its stream
 * (the model's own time); the chunks are pushed on timers started at the call, so a slow consumer does not stretch
 * the model's time — its lag after the end counts as overhead.
 *
 * Jobs are told apart by a tag in the writer's instruction ("bench-job <tag>"), which the prompt template renders.
 */
export const TAG_PREFIX = "bench-job";
const TAG = new RegExp(`${TAG_PREFIX} (\\S+)`);

interface ModelTiming {
  /** Epoch ms (sub-millisecond) of each doStream call and of the end of its stream. */
  starts: number[];
  ends: number[];
}

export const clock = () => performance.timeOrigin + performance.now();

export function answerFor(tag: string): string {
  return `The lamp woke with a sigh for ${tag} and the sea answered.`;
}

function promptText(options: LanguageModelV4CallOptions): string {
  const parts: string[] = [];
  for (const message of options.prompt) {
    if (typeof message.content === "string") parts.push(message.content);
    else for (const part of message.content) if (part.type === "text") parts.push(part.text);
  }
  return parts.join("\n");
}

const usage = (outputTokens: number) => ({
  inputTokens: { total: 400, noCache: 400, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: outputTokens, text: outputTokens, reasoning: 0 },
});

export interface BenchModel {
  choice: ModelChoice;
  /** Model time per job tag (a retried step would call the model again: both calls are kept). */
  timings: Map<string, ModelTiming>;
  /** Changes the pace for the next calls: 0 = instant. */
  setTotalMs(ms: number): void;
}

export function createBenchModel(): BenchModel {
  const timings = new Map<string, ModelTiming>();
  let totalMs = 0;
  const model = new MockLanguageModelV4({
    provider: "bench",
    modelId: "bench-mock",
    doStream: async (options) => {
      const started = clock();
      const tag = TAG.exec(promptText(options))?.[1] ?? "untagged";
      const timing = timings.get(tag) ?? { starts: [], ends: [] };
      timing.starts.push(started);
      timings.set(tag, timing);
      const words = answerFor(tag).split(/(?<= )/);
      const pace = totalMs;
      const stream = new ReadableStream<LanguageModelV4StreamPart>({
        start(controller) {
          const timers: NodeJS.Timeout[] = [];
          let closed = false;
          const finish = () => {
            if (closed) return;
            closed = true;
            controller.enqueue({ type: "text-end", id: "0" });
            controller.enqueue({
              type: "finish",
              usage: usage(words.length),
              finishReason: { unified: "stop", raw: "stop" },
            });
            timing.ends.push(clock());
            controller.close();
          };
          options.abortSignal?.addEventListener(
            "abort",
            () => {
              for (const t of timers) clearTimeout(t);
              if (!closed) {
                closed = true;
                controller.error(options.abortSignal?.reason);
              }
            },
            { once: true },
          );
          controller.enqueue({ type: "stream-start", warnings: [] });
          controller.enqueue({ type: "text-start", id: "0" });
          if (pace <= 0) {
            for (const word of words) controller.enqueue({ type: "text-delta", id: "0", delta: word });
            finish();
            return;
          }
          // Word i is due at (i + 1) / n of the total after the call; the last one closes the stream at totalMs.
          // One timer at a time, each aimed at the next word's due time: timers of different durations can fire out
          // of order on a busy event loop, a chain cannot (and a late word does not push the later ones back).
          const next = (i: number) => {
            const due = started + ((i + 1) * pace) / words.length;
            timers.push(
              setTimeout(
                () => {
                  if (closed) return;
                  controller.enqueue({ type: "text-delta", id: "0", delta: words[i]! });
                  if (i === words.length - 1) finish();
                  else next(i + 1);
                },
                Math.max(0, due - clock()),
              ),
            );
          };
          next(0);
        },
      });
      return { stream };
    },
  });
  return {
    choice: {
      model,
      provider: "bench",
      modelId: "bench-mock",
      label: "bench mock model",
      offline: false,
      inputBudgetTokens: 8000,
    },
    timings,
    setTotalMs: (ms) => {
      totalMs = ms;
    },
  };
}
