import { createOpenAI } from "@ai-sdk/openai";
import { generateImage, generateText, type ImageModel, type LanguageModel } from "ai";
import { resolveModel } from "../models";
import { drawOfflineIllustration, type DrawingHints } from "./offline-illustrator";
import { describeSceneOffline } from "./offline-scene";

export const OFFLINE_IMAGE_MODEL_ID = "offline-illustrator";

/** What one image request gets: the prompt, and what the offline illustrator draws from (providers ignore it). */
export interface ImageRequest {
  prompt: string;
  size: `${number}x${number}`;
  hints: DrawingHints;
  abortSignal: AbortSignal;
}

/** A provider's raw answer: bytes and what it claims they are (the claim is never trusted). */
export interface ImageAnswer {
  bytes: Uint8Array;
  claimedType: string | null;
}

export type ImageGenerator = (request: ImageRequest) => Promise<ImageAnswer>;

export interface SceneRequest {
  prompt: string;
  pageText: string;
  abortSignal: AbortSignal;
}
export interface SceneAnswer {
  text: string;
  inputTokens: number;
  outputTokens: number;
}
export type SceneDescriber = (request: SceneRequest) => Promise<SceneAnswer>;

export interface ImageModelChoice {
  provider: string;
  modelId: string;
  offline: boolean;
  size: `${number}x${number}`;
  generate: ImageGenerator;
  /** The model that describes the scene (the text model, or the offline describer). */
  sceneModelId: string;
  describe: SceneDescriber;
}

type Env = Record<string, string | undefined>;

function sizeOf(env: Env): `${number}x${number}` {
  const value = env.IMAGE_SIZE?.trim() || "1024x1024";
  if (!/^\d{2,4}x\d{2,4}$/.test(value)) throw new Error(`IMAGE_SIZE must look like 1024x1024 (got ${value}).`);
  return value as `${number}x${number}`;
}

/** The image model through the AI SDK: `generateImage` with retries left to our own loop (maxRetries 0). */
export function aiSdkImageGenerator(model: ImageModel): ImageGenerator {
  return async ({ prompt, size, abortSignal }) => {
    const result = await generateImage({ model, prompt, size, n: 1, maxRetries: 0, abortSignal });
    return { bytes: result.image.uint8Array, claimedType: result.image.mediaType ?? null };
  };
}

export function aiSdkSceneDescriber(model: LanguageModel): SceneDescriber {
  return async ({ prompt, abortSignal }) => {
    const result = await generateText({ model, prompt, maxRetries: 0, abortSignal });
    return {
      text: result.text,
      inputTokens: result.usage.inputTokens ?? 0,
      outputTokens: result.usage.outputTokens ?? 0,
    };
  };
}

const offlineDescriber: SceneDescriber = async ({ pageText }) => {
  const text = describeSceneOffline(pageText);
  return { text, inputTokens: 0, outputTokens: 0 };
};

/**
 * Picks the image model from the environment, like the text model (lib/ai/models.ts):
 * - IMAGE_MODEL with IMAGE_BASE_URL (or OPENAI_BASE_URL) → an OpenAI-compatible image server;
 * - OPENAI_API_KEY → OpenAI's images API (IMAGE_MODEL, default gpt-image-1);
 * - otherwise the offline illustrator, which needs no network. A compatible text server without IMAGE_MODEL (Ollama
 *   has no images API) also gets the offline illustrator rather than an error on every Illustrate.
 * The scene is described by the configured text model (offline: the page's own first sentences).
 */
export function resolveImageModel(env: Env = process.env): ImageModelChoice {
  const size = sizeOf(env);
  const text = resolveModel(env);
  const scene = text.offline
    ? { sceneModelId: "offline", describe: offlineDescriber }
    : { sceneModelId: text.modelId, describe: aiSdkSceneDescriber(text.model) };
  const baseURL = env.IMAGE_BASE_URL?.trim() || env.OPENAI_BASE_URL?.trim();
  const modelId = env.IMAGE_MODEL?.trim();
  if (baseURL && modelId) {
    const provider = createOpenAI({ baseURL, apiKey: env.OPENAI_API_KEY ?? "not-needed", name: "openai-compatible" });
    return {
      provider: "openai-compatible",
      modelId,
      offline: false,
      size,
      generate: aiSdkImageGenerator(provider.image(modelId)),
      ...scene,
    };
  }
  if (env.OPENAI_API_KEY && !env.OPENAI_BASE_URL) {
    const id = modelId || "gpt-image-1";
    const provider = createOpenAI({ apiKey: env.OPENAI_API_KEY });
    return {
      provider: "openai",
      modelId: id,
      offline: false,
      size,
      generate: aiSdkImageGenerator(provider.image(id)),
      ...scene,
    };
  }
  return {
    provider: "offline",
    modelId: OFFLINE_IMAGE_MODEL_ID,
    offline: true,
    size: "768x512",
    generate: async ({ hints, size: _size }) => ({ bytes: drawOfflineIllustration(hints), claimedType: "image/png" }),
    ...scene,
  };
}
