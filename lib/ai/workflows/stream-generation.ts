import type { LanguageModelV4 } from "@ai-sdk/provider";
import { streamText } from "ai";
import { GenerationError, toGenerationError } from "../generation-errors";
import { continuationMessages } from "./continuation";

export interface StreamGenerationInput {
  model: LanguageModelV4;
  prompt: string;
  /**
   * The text an earlier attempt streamed before it was cut off: the model is asked to continue it
   * (lib/ai/workflows/continuation.ts), and the result's text and usage are the continuation's alone.
   */
  continueFrom?: string;
  maxOutputTokens?: number;
  /** Sampling that makes this answer one of several (a take); none: the provider's defaults. */
  sampling?: { temperature: number; seed: number } | null;
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

/** What a failed call had streamed (already paid for): the caller saves it so that the next attempt can resume. */
export class InterruptedGenerationError extends GenerationError {
  constructor(
    error: GenerationError,
    readonly streamedText: string,
  ) {
    super(error.code, error.detail, error.retriable, error.retryAfterMs, { cause: error.cause ?? error });
  }
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
      ...(input.continueFrom === undefined
        ? { prompt: input.prompt }
        : { messages: continuationMessages(input.prompt, input.continueFrom) }),
      maxOutputTokens: input.maxOutputTokens,
      ...(input.sampling ? { temperature: input.sampling.temperature, seed: input.sampling.seed } : {}),
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
    // A continuation may be empty: the interrupted answer was complete but for its end of stream.
    if (text.trim() === "" && input.continueFrom === undefined)
      throw new GenerationError("GEN_EMPTY_OUTPUT", "the model finished without any text", true);
    return {
      text,
      inputTokens: usage.inputTokens ?? 0,
      outputTokens: usage.outputTokens ?? 0,
      firstTokenAt,
    };
  } catch (error) {
    const failure = timeoutReason
      ? new GenerationError("GEN_TIMEOUT", timeoutReason, true, undefined, { cause: error })
      : input.signal?.aborted
        ? new GenerationError("GEN_CANCELLED", "cancelled while generating", false, undefined, { cause: error })
        : toGenerationError(error);
    if (text === "" || failure.code === "GEN_CANCELLED") throw failure;
    // The text streamed since the last flush is stored too: the next attempt resumes from all of it.
    if (input.onPartial && text.length !== flushedLength) {
      try {
        await input.onPartial(text, false);
      } catch {
        // The last periodic save stands; the failure to report is the call's.
      }
    }
    throw new InterruptedGenerationError(failure, text);
  } finally {
    clearTimeout(stallTimer);
    clearTimeout(totalTimer);
    input.signal?.removeEventListener("abort", abortFromCaller);
  }
}
