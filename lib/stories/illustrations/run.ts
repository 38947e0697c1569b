import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { getDb, type Db } from "@/db";
import { aiJobs, type AiJob } from "@/db/ai-schema";
import { pageIllustrations } from "@/db/illustrations-schema";
import { pages, stories } from "@/db/schema";
import {
  costUsd,
  createMentionMatcher,
  defaultImageRetry,
  GenerationError,
  generateCheckedImage,
  getJob,
  hashPrompt,
  imageCostUsd,
  imageStoreForWrites,
  markFailed,
  markRunning,
  publishJobUpdate,
  recordRenderedPrompt,
  resolveImageModel,
  resolveTemplate,
  savePartial,
  type DrawingHints,
  type ImageModelChoice,
  type RetryPolicy,
} from "@/lib/ai";
import { log } from "@/lib/log";
import { codexRows } from "../codex/entries";
import { SCENE_JOB_TYPE, SCENE_TARGET, STORY_SCOPE } from "../job-kinds";
import { pageNumbersOf } from "../page-numbers";
import {
  atmosphereOf,
  buildImagePrompt,
  IMAGE_PROMPT_MAX,
  SCENE_TEMPLATE_KEY,
  sceneDescriptionPrompt,
  sceneVariables,
  type AppearanceEntry,
} from "./prompt";
import type { IllustrationOutput } from "./view";

/** What the author may have set before (re)generating: an edited scene and/or an edited image prompt. */
export interface IllustratePayload {
  sceneDescription?: string;
  imagePrompt?: string;
}

export type StepRunner = <T>(name: string, run: () => Promise<T>) => Promise<T>;

export interface IllustrationRunOptions {
  model?: ImageModelChoice;
  retry?: RetryPolicy;
  /** Inngest's step.run in the function; a plain call in tests and the benchmark. */
  step?: StepRunner;
  /** Time limit of the scene description call. */
  sceneTimeoutMs?: number;
}

export type IllustrationRunResult =
  | { outcome: "succeeded"; illustrationId: string; output: IllustrationOutput }
  | { outcome: "failed"; code: string }
  | { outcome: "not-active" };

const SCENE_MAX = 2000;
const plainStep: StepRunner = (_name, run) => run();

class EndJob extends Error {
  constructor(
    readonly code: string,
    readonly detail: string,
  ) {
    super(detail);
  }
}

async function isRunning(db: Db, jobId: string): Promise<boolean> {
  const job = await getJob(db, jobId);
  return job?.status === "running";
}

async function pageAndStory(db: Db, pageId: string) {
  const [row] = await db
    .select({ page: pages, story: stories })
    .from(pages)
    .innerJoin(stories, eq(stories.id, pages.storyId))
    .where(and(eq(pages.id, pageId), sql`${pages.deletedAt} is null`))
    .limit(1);
  return row ?? null;
}

/** The codex characters and places a text mentions, in the codex's order (kind, then name). */
export async function mentionedAppearances(db: Db, storyId: string, texts: string[]): Promise<AppearanceEntry[]> {
  const rows = (await codexRows(db, storyId)).filter((r) => r.kind === "character" || r.kind === "place");
  if (rows.length === 0) return [];
  const matcher = createMentionMatcher(rows.map((r) => ({ id: r.id, names: [r.name, ...r.aliases] })));
  const ids = new Set(texts.flatMap((t) => matcher.find(t).map((m) => m.id)));
  return rows
    .filter((r) => ids.has(r.id))
    .map((r) => ({ id: r.id, kind: r.kind, name: r.name, appearance: r.appearance }));
}

/** The scene description's own ledger row: one model call, recorded as it ends. */
async function describeScene(
  db: Db,
  job: AiJob,
  pageText: string,
  title: string,
  model: ImageModelChoice,
  timeoutMs: number,
) {
  // The family's published version when the scene is described; the row records which, so it renders again exactly.
  const template = await resolveTemplate(SCENE_TEMPLATE_KEY, undefined, db);
  const prompt = await sceneDescriptionPrompt(template, pageText, title);
  const [row] = await db
    .insert(aiJobs)
    .values({
      jobType: SCENE_JOB_TYPE,
      status: "running",
      targetType: SCENE_TARGET,
      targetId: job.targetId,
      scopeType: STORY_SCOPE,
      scopeId: job.scopeId,
      parentJobId: job.id,
      requestedBy: job.requestedBy,
      templateKey: template.key,
      templateVersion: template.version,
      provider: model.offline ? "offline" : model.provider,
      model: model.sceneModelId,
      promptPayload: sceneVariables(pageText, title),
      contextLeftOut: [],
      promptHash: hashPrompt(prompt),
      renderedPrompt: prompt,
      attempts: 1,
      startedAt: new Date(),
    })
    .returning({ id: aiJobs.id });
  const sceneJobId = row!.id;
  try {
    const answer = await model.describe({ prompt, pageText, abortSignal: AbortSignal.timeout(timeoutMs) });
    const text = answer.text.replace(/\s+/g, " ").trim().slice(0, SCENE_MAX);
    if (!text) throw new GenerationError("GEN_EMPTY_OUTPUT", "the scene description was empty", false);
    await db
      .update(aiJobs)
      .set({
        status: "succeeded",
        outputText: text,
        inputTokens: answer.inputTokens,
        outputTokens: answer.outputTokens,
        costUsd: costUsd(model.sceneModelId, answer)?.toString() ?? null,
        completedAt: new Date(),
        updatedAt: new Date(),
      })
      .where(eq(aiJobs.id, sceneJobId));
    return text;
  } catch (error) {
    const code =
      error instanceof GenerationError
        ? error.code
        : (error as Error)?.name === "TimeoutError"
          ? "GEN_TIMEOUT"
          : "GEN_PROVIDER_UNAVAILABLE";
    await markFailed(db, sceneJobId, code, (error as Error)?.message ?? String(error));
    throw new EndJob(code, `scene description failed: ${(error as Error)?.message ?? error}`);
  }
}

/**
 * Runs one Illustrate job: (1) the page's key scene, described by the text model into its own ledger row (or the
 * author's edited scene), kept as the job's partial text; (2) the image prompt from the scene, the appearance of
 * every codex character and place the page or scene mentions, and the atmosphere (or the author's edited prompt);
 * (3) the image, with retries, backoff, a timeout and the byte / pixel limits, checked from its bytes; (4) storage:
 * the bytes go to the store, then the illustration row and the job's success are written in one transaction — a job
 * cancelled meanwhile, or a failed write, removes the bytes again, so nothing half-written stays. Generation and
 * storage share a step: the image's bytes never travel through the engine's memoized step results.
 */
export async function runIllustrationJob(
  jobId: string,
  options: IllustrationRunOptions = {},
): Promise<IllustrationRunResult> {
  const step = options.step ?? plainStep;
  const retry = options.retry ?? defaultImageRetry;
  const fail = async (db: Db, code: string, detail: string): Promise<IllustrationRunResult> => {
    const job = await markFailed(db, jobId, code, detail);
    publishJobUpdate({ jobId, status: job?.status ?? "failed" });
    log("warn", "illustration failed", { jobId, code, detail });
    return { outcome: "failed", code };
  };

  type SceneStep = { ok: true; text: string; ms: number } | { ok: false; code: string; detail: string } | null;
  const scene = await step("scene", async (): Promise<SceneStep> => {
    const db = await getDb();
    const started = performance.now();
    const running = await markRunning(db, jobId);
    if (!running) return null;
    publishJobUpdate({ jobId, status: "running", scopeId: running.scopeId });
    const job = (await getJob(db, jobId))!;
    const found = await pageAndStory(db, job.targetId);
    if (!found || found.page.content.trim() === "")
      return { ok: false, code: "GEN_NOTHING_TO_ILLUSTRATE", detail: "the page has no text (or was deleted)" };
    const payload = (job.promptPayload ?? {}) as IllustratePayload;
    const model = options.model ?? resolveImageModel();
    try {
      const text =
        payload.sceneDescription?.trim() ||
        (await describeScene(db, job, found.page.content, found.story.title, model, options.sceneTimeoutMs ?? 60_000));
      await savePartial(db, jobId, text, null);
      publishJobUpdate({ jobId, status: "running" });
      return { ok: true, text, ms: performance.now() - started };
    } catch (error) {
      if (error instanceof EndJob) return { ok: false, code: error.code, detail: error.detail };
      throw error;
    }
  });
  if (scene === null) return { outcome: "not-active" };
  if (!scene.ok) return fail(await getDb(), scene.code, scene.detail);

  const prompt = await step("prompt", async () => {
    const db = await getDb();
    const started = performance.now();
    const job = await getJob(db, jobId);
    if (job?.status !== "running") return null;
    const found = await pageAndStory(db, job.targetId);
    if (!found) return null;
    const payload = (job.promptPayload ?? {}) as IllustratePayload;
    const entries = await mentionedAppearances(db, found.story.id, [found.page.content, scene.text]);
    const text =
      payload.imagePrompt?.trim().slice(0, IMAGE_PROMPT_MAX) ||
      (await buildImagePrompt(await resolveTemplate(job.templateKey, job.templateVersion, db), {
        scene: scene.text,
        entries,
        atmosphere: atmosphereOf(`${scene.text} ${found.page.content}`),
      }));
    await recordRenderedPrompt(db, jobId, hashPrompt(text), text);
    publishJobUpdate({ jobId, status: "running" });
    const number = (await pageNumbersOf(db, [found.page.id])).get(found.page.id);
    const hints: DrawingHints = {
      title: `${found.story.title}${number ? ` — page ${number}` : ""}`,
      scene: scene.text,
      characters: entries.filter((e) => e.kind === "character"),
      places: entries.filter((e) => e.kind === "place"),
    };
    return { text, hints, storyId: found.story.id, pageId: found.page.id, ms: performance.now() - started };
  });
  if (prompt === null) return { outcome: "not-active" };

  return step("draw-and-store", async () => {
    const db = await getDb();
    if (!(await isRunning(db, jobId))) return { outcome: "not-active" } as const;
    const model = options.model ?? resolveImageModel();
    let image: Awaited<ReturnType<typeof generateCheckedImage>>;
    try {
      image = await generateCheckedImage(
        model.generate,
        { prompt: prompt.text, size: model.size, hints: prompt.hints },
        retry,
        {
          onAttempt: async () => {
            await db
              .update(aiJobs)
              .set({ attempts: sql`${aiJobs.attempts} + 1`, updatedAt: new Date() })
              .where(and(eq(aiJobs.id, jobId), eq(aiJobs.status, "running")));
          },
        },
      );
    } catch (error) {
      const generationError =
        error instanceof GenerationError ? error : new GenerationError("INTERNAL", String(error), false);
      return fail(db, generationError.code, generationError.detail);
    }
    const storageStarted = performance.now();
    const store = imageStoreForWrites(db);
    const id = randomUUID();
    const extension = image.contentType.slice("image/".length);
    const key = `illustrations/${prompt.storyId}/${id}.${extension}`;
    const output: IllustrationOutput = {
      illustrationId: id,
      sceneDescription: scene.text,
      imagePrompt: prompt.text,
      size: model.size,
      bytes: image.bytes.byteLength,
      width: image.width,
      height: image.height,
      contentType: image.contentType,
      storage: store.kind,
      timingsMs: { scene: scene.ms, prompt: prompt.ms, generation: image.generationMs, storage: 0 },
    };
    try {
      await store.put(key, image.bytes, image.contentType);
      const stored = await db.transaction(async (tx) => {
        const [job] = await tx
          .update(aiJobs)
          .set({
            status: "succeeded",
            outputText: JSON.stringify({
              ...output,
              timingsMs: { ...output.timingsMs, storage: performance.now() - storageStarted },
            }),
            costUsd: imageCostUsd(model.modelId, model.size)?.toString() ?? null,
            completedAt: new Date(),
            updatedAt: new Date(),
          })
          .where(and(eq(aiJobs.id, jobId), eq(aiJobs.status, "running")))
          .returning({ id: aiJobs.id });
        if (!job) return false;
        await tx.insert(pageIllustrations).values({
          id,
          storyId: prompt.storyId,
          pageId: prompt.pageId,
          jobId,
          sceneDescription: scene.text,
          imagePrompt: prompt.text,
          storage: store.kind,
          imageKey: key,
          contentType: image.contentType,
          byteSize: image.bytes.byteLength,
          width: image.width,
          height: image.height,
          model: model.modelId,
          offline: model.offline,
        });
        return true;
      });
      if (!stored) {
        await store.delete(key);
        return { outcome: "not-active" } as const;
      }
    } catch (error) {
      // Nothing half-written: the row and the job's success are one transaction; the bytes go if it did not commit.
      await store.delete(key).catch(() => {});
      throw error;
    }
    output.timingsMs.storage = performance.now() - storageStarted;
    publishJobUpdate({ jobId, status: "succeeded" });
    return { outcome: "succeeded", illustrationId: id, output } as const;
  });
}
