import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll } from "vitest";
import { getDb } from "@/db";
import { aiJobs } from "@/db/ai-schema";
import { pageIllustrations, storedImages } from "@/db/illustrations-schema";
import { describeSceneOffline, drawOfflineIllustration, type ImageGenerator, type ImageModelChoice } from "@/lib/ai";

let png: Uint8Array | null = null;

/** A real PNG (the offline drawing of a fixed scene), made once per file. */
export function samplePng(): Uint8Array {
  png ??= drawOfflineIllustration({ title: "Sample", scene: "A quiet night.", characters: [], places: [] });
  return png;
}

/** An image model whose images come from `generate`, and whose scene is the page's first sentences (10 + 5 tokens). */
export function fakeImageModel(generate: ImageGenerator, modelId = "gpt-image-1"): ImageModelChoice {
  return {
    provider: "fake",
    modelId,
    offline: false,
    size: "1024x1024",
    generate,
    sceneModelId: "gpt-4o-mini",
    describe: async ({ pageText }) => ({ text: describeSceneOffline(pageText), inputTokens: 10, outputTokens: 5 }),
  };
}

export const fastRetry = { attempts: 3, backoffMs: 1, timeoutMs: 2000 };

export async function illustrationRowsOf(pageId: string) {
  const db = await getDb();
  return db.select().from(pageIllustrations).where(eq(pageIllustrations.pageId, pageId));
}

export async function storedImageCount(): Promise<number> {
  const db = await getDb();
  return (await db.select({ key: storedImages.key }).from(storedImages)).length;
}

export async function jobRow(jobId: string) {
  const db = await getDb();
  const [row] = await db.select().from(aiJobs).where(eq(aiJobs.id, jobId));
  return row!;
}

export async function childrenOf(jobId: string) {
  const db = await getDb();
  return db.select().from(aiJobs).where(eq(aiJobs.parentJobId, jobId));
}

/**
 * A local S3 stand-in (s3rver) with an "illustrations" bucket, for the describe block that calls this: started before
 * its tests, stopped and its files removed after. `endpoint` is set once it runs.
 */
export function useS3rver(): { readonly endpoint: string } {
  const state = { endpoint: "" };
  let server: { close(): Promise<void> } | null = null;
  let directory = "";
  beforeAll(async () => {
    const { default: S3rver } = (await import("s3rver")) as unknown as {
      default: new (options: object) => { run(): Promise<{ port: number }>; close(): Promise<void> };
    };
    directory = mkdtempSync(path.join(tmpdir(), "s3rver-"));
    const instance = new S3rver({
      port: 0,
      address: "127.0.0.1",
      silent: true,
      directory,
      configureBuckets: [{ name: "illustrations" }],
    });
    const address = await instance.run();
    server = instance;
    state.endpoint = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    await server?.close();
    rmSync(directory, { recursive: true, force: true });
  });
  return state;
}
