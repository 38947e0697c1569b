import { GenerationError, toGenerationError } from "../generation-errors";
import type { ImageGenerator, ImageRequest } from "./image-model";
import { imageLimits } from "./limits";
import { sniffImage, type SniffedImage } from "./sniff";

export interface CheckedImage extends SniffedImage {
  bytes: Uint8Array;
}

/**
 * Accepts an answer only if its bytes are a PNG, JPEG or WebP within the limits; the provider's claimed type is
 * ignored (an SVG claimed as image/png is refused, a PNG claimed as text is accepted as PNG). Not retriable: the same
 * prompt would likely get the same kind of answer, and each attempt is paid for.
 */
export function checkImage(bytes: Uint8Array): CheckedImage {
  if (bytes.byteLength === 0) throw new GenerationError("GEN_BAD_IMAGE", "the image model returned no bytes", false);
  if (bytes.byteLength > imageLimits.maxBytes)
    throw new GenerationError(
      "GEN_BAD_IMAGE",
      `the image is ${bytes.byteLength} bytes, over the limit of ${imageLimits.maxBytes}`,
      false,
    );
  const sniffed = sniffImage(bytes);
  if (!sniffed)
    throw new GenerationError(
      "GEN_BAD_IMAGE",
      "the answer is not a PNG, JPEG or WebP image (or its header is cut)",
      false,
    );
  const { width, height } = sniffed;
  if (width > imageLimits.maxSide || height > imageLimits.maxSide || width * height > imageLimits.maxPixels)
    throw new GenerationError(
      "GEN_BAD_IMAGE",
      `the image is ${width}×${height} pixels, over the limit of ${imageLimits.maxPixels} pixels (${imageLimits.maxSide} a side)`,
      false,
    );
  return { ...sniffed, bytes };
}

export interface RetryPolicy {
  /** Attempts in all (the first included). */
  attempts: number;
  /** Wait before the second attempt; doubled before each next one (a provider's Retry-After wins when longer). */
  backoffMs: number;
  /** One attempt's time limit. */
  timeoutMs: number;
}

export const defaultImageRetry: RetryPolicy = { attempts: 3, backoffMs: 1000, timeoutMs: 120_000 };

export interface GeneratedImage extends CheckedImage {
  attempts: number;
  generationMs: number;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new GenerationError("GEN_CANCELLED", "cancelled while waiting to retry", false));
    });
  });
}

/**
 * Generates and checks one image: each attempt under its own timeout, retriable failures (timeouts, a provider that
 * is down or rate-limiting) tried again after an exponential backoff, anything else ended at once. `onAttempt` is told
 * of each attempt before it starts (the ledger counts them).
 */
export async function generateCheckedImage(
  generate: ImageGenerator,
  request: Omit<ImageRequest, "abortSignal">,
  policy: RetryPolicy = defaultImageRetry,
  options: { onAttempt?: (attempt: number) => Promise<void> | void; signal?: AbortSignal } = {},
): Promise<GeneratedImage> {
  const started = performance.now();
  let last: GenerationError | null = null;
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    if (attempt > 1) {
      const wait = Math.max(policy.backoffMs * 2 ** (attempt - 2), last?.retryAfterMs ?? 0);
      await sleep(wait, options.signal);
    }
    await options.onAttempt?.(attempt);
    const timeout = AbortSignal.timeout(policy.timeoutMs);
    const abortSignal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    try {
      const answer = await Promise.race([
        generate({ ...request, abortSignal }),
        new Promise<never>((_, reject) =>
          abortSignal.addEventListener("abort", () =>
            reject(
              timeout.aborted
                ? new GenerationError("GEN_TIMEOUT", `no image after ${policy.timeoutMs} ms`, true)
                : new GenerationError("GEN_CANCELLED", "cancelled", false),
            ),
          ),
        ),
      ]);
      const checked = checkImage(answer.bytes);
      return { ...checked, attempts: attempt, generationMs: performance.now() - started };
    } catch (error) {
      last =
        timeout.aborted && !(error instanceof GenerationError)
          ? new GenerationError("GEN_TIMEOUT", `no image after ${policy.timeoutMs} ms`, true)
          : toGenerationError(error);
      if (!last.retriable) break;
    }
  }
  throw last ?? new GenerationError("INTERNAL", "no attempt was made", false);
}
