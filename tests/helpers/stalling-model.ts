import type { LanguageModelV4, LanguageModelV4CallOptions, LanguageModelV4StreamPart } from "@ai-sdk/provider";

/**
 * Wraps a model so that its first streamed call stops after `stallAfterDeltas` text deltas and then sends nothing
 * (until aborted), as a provider whose stream hangs; later calls pass through. Every call's messages are kept.
 */
export function stallingModel(inner: LanguageModelV4, stallAfterDeltas: number) {
  const calls: LanguageModelV4CallOptions["prompt"][] = [];
  const model: LanguageModelV4 = {
    ...inner,
    doGenerate: (options) => inner.doGenerate(options),
    async doStream(options) {
      calls.push(options.prompt);
      const result = await inner.doStream(options);
      if (calls.length > 1) return result;
      let deltas = 0;
      const reader = result.stream.getReader();
      const stream = new ReadableStream<LanguageModelV4StreamPart>({
        async pull(controller) {
          if (deltas >= stallAfterDeltas) {
            await new Promise<void>((resolve) => {
              if (options.abortSignal?.aborted) resolve();
              options.abortSignal?.addEventListener("abort", () => resolve(), { once: true });
            });
            await reader.cancel().catch(() => {});
            controller.error(options.abortSignal?.reason ?? new Error("aborted"));
            return;
          }
          const next = await reader.read();
          if (next.done) return controller.close();
          if (next.value.type === "text-delta") deltas++;
          controller.enqueue(next.value);
        },
      });
      return { ...result, stream };
    },
  };
  return { model, calls };
}
