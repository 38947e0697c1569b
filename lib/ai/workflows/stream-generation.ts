import type { LanguageModelV4 } from "@ai-sdk/provider";
import { streamText } from "ai";
import { GenerationError, toGenerationError } from "../generation-errors";

export interface StreamGenerationInput {
  model: LanguageModelV4;
  prompt: string;
  maxOutputTokens?: number;
  /** Aborts the call when the job is cancelled. */
  signal?: AbortSignal;
  /** No new text for this long → GEN_TIMEOUT (a stalled stream). */
  stallTimeoutMs: number;
  /** The whole call may not take longer than this → GEN_TIMEOUT. */
  totalTimeoutMs: number;
  /** Called with the text so far, at most once per `flushIntervalMs`, and once more at the end (`final`). */
  onPartial?: (textSoFar: string, final: boolean) => void | Promise<void>;
  flushIntervalMs?: number;
  now?: () => number;
}

export interface StreamGenerationResult {
  text: string;
  inputTokens: number;
  outputTokens: number;
  firstTokenAt: Date | null;
}

/**
 * One model call, streamed. Pure with respect to storage: what to do with partial text is the caller's business
 * (onPartial), and the model is injected, so this runs the same against the offline model, a mock or OpenAI.
 */
export async function streamGeneration(input: StreamGenerationInput): Promise<StreamGenerationResult> {
  const now = input.now ?? Date.now;
  const flushIntervalMs = input.flushIntervalMs ?? 200;
  const controller = new AbortController();
  let timeoutReason: string | null = null;
  const abortFromCaller = () => controller.abort(input.signal?.reason);
  if (input.signal?.aborted) abortFromCaller();
  input.signal?.addEventListener("abort", abortFromCaller, { once: true });

  let stallTimer: ReturnType<typeof setTimeout> | undefined;
  const armStall = () => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => {
      timeoutReason = `no output for ${input.stallTimeoutMs} ms`;
      controller.abort(new Error(timeoutReason));
    }, input.stallTimeoutMs);
  };
  const totalTimer = setTimeout(() => {
    timeoutReason = `no complete answer within ${input.totalTimeoutMs} ms`;
    controller.abort(new Error(timeoutReason));
  }, input.totalTimeoutMs);

  let text = "";
  let firstTokenAt: Date | null = null;
  let lastFlush = 0;
  let flushedLength = 0;
  const flush = async (force: boolean) => {
    if (!input.onPartial || text.length === flushedLength) return;
    if (!force && now() - lastFlush < flushIntervalMs) return;
    lastFlush = now();
    flushedLength = text.length;
    await input.onPartial(text, force);
  };

  try {
    armStall();
    // Retries belong to the durable job (one attempt per Inngest retry), not to the SDK.
    const result = streamText({
      model: input.model,
      prompt: input.prompt,
      maxOutputTokens: input.maxOutputTokens,
      abortSignal: controller.signal,
      maxRetries: 0,
    });
    for await (const part of result.fullStream) {
      if (part.type === "text-delta") {
        armStall();
        if (firstTokenAt === null) firstTokenAt = new Date(now());
        text += part.text;
        await flush(false);
      } else if (part.type === "error") {
        throw part.error;
      } else if (part.type === "abort") {
        throw controller.signal.reason ?? new Error("aborted");
      }
    }
    await flush(true);
    const usage = await result.usage;
    if (text.trim() === "") throw new GenerationError("GEN_EMPTY_OUTPUT", "the model finished without any text", true);
    return {
      text,
      inputTokens: usage.inputTokens ?? 0,
      outputTokens: usage.outputTokens ?? 0,
      firstTokenAt,
    };
  } catch (error) {
    if (timeoutReason) throw new GenerationError("GEN_TIMEOUT", timeoutReason, true, undefined, { cause: error });
    if (input.signal?.aborted)
      throw new GenerationError("GEN_CANCELLED", "cancelled while generating", false, undefined, { cause: error });
    throw toGenerationError(error);
  } finally {
    clearTimeout(stallTimer);
    clearTimeout(totalTimer);
    input.signal?.removeEventListener("abort", abortFromCaller);
  }
}
