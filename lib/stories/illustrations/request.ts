import { and, desc, eq, inArray, isNotNull } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Db } from "@/db";
import { aiJobs, type AiJob } from "@/db/ai-schema";
import { illustrationWaits, pageIllustrations, type PageIllustration } from "@/db/illustrations-schema";
import {
  cancelOneJob,
  findActiveJob,
  getJob,
  imageStoreOfKind,
  resolveImageModel,
  resolveTemplate,
  sniffImage,
  submitJob,
} from "@/lib/ai";
import { AppError } from "@/lib/errors";
import { loadPageFor, loadStoryFor } from "../access";
import { requireActor, type Actor } from "../actor";
import { ILLUSTRATE_JOB_TYPE, ILLUSTRATION_TARGET, STORY_SCOPE } from "../job-kinds";
import { admitWithinLimits } from "../spending-policy";
import { idField, parseInput } from "../validation";
import { IMAGE_PROMPT_MAX, IMAGE_PROMPT_TEMPLATE_KEY } from "./prompt";
import type { IllustratePayload } from "./run";
import { toIllustrationJobView, toIllustrationView, type IllustrationJobView, type IllustrationView } from "./view";

const optionalText = (max: number, what: string) =>
  z
    .string({ message: `${what} must be text.` })
    .trim()
    .max(max, `${what} can be at most ${max.toLocaleString("en-US")} characters.`)
    .optional()
    .transform((v) => (v ? v : undefined));

export const illustrateRequestSchema = z.object({
  pageId: idField,
  /** The author's edit of the scene (Regenerate): the model is not asked again. */
  sceneDescription: optionalText(2000, "A scene description"),
  /** The author's edit of the image prompt (Regenerate): sent as it is. */
  imagePrompt: optionalText(IMAGE_PROMPT_MAX, "An image prompt"),
});

export interface IllustrateOutcome {
  job: IllustrationJobView;
  /** False when an Illustrate was already running on the page: this request joined it. */
  created: boolean;
}

/** Submits an Illustrate job (the caller has checked access and the page's text). */
export async function submitIllustration(
  db: Db,
  actor: Actor,
  storyId: string,
  pageId: string,
  payload: IllustratePayload,
) {
  const model = resolveImageModel();
  // The job records the image prompt's version: its prompt step renders exactly that one, whatever is published then.
  const template = await resolveTemplate(IMAGE_PROMPT_TEMPLATE_KEY, undefined, db);
  return submitJob(
    db,
    {
      jobType: ILLUSTRATE_JOB_TYPE,
      targetType: ILLUSTRATION_TARGET,
      targetId: pageId,
      scopeType: STORY_SCOPE,
      scopeId: storyId,
      requestedBy: actor.id,
      templateKey: template.key,
      templateVersion: template.version,
      provider: model.provider,
      model: model.modelId,
      instruction: "",
      promptPayload: payload,
      contextLeftOut: [],
      baseVersion: null,
    },
    admitWithinLimits(actor),
  );
}

/**
 * Illustrate page: a background job describes the page's key scene, builds the image prompt and draws (run.ts). Needs
 * `generate` on the story; a blank page is refused before anything is queued; a second request while one runs joins it.
 */
export async function requestIllustration(actorOrNull: Actor | null, input: unknown): Promise<IllustrateOutcome> {
  const actor = requireActor(actorOrNull);
  const { pageId, sceneDescription, imagePrompt } = parseInput(illustrateRequestSchema, input);
  const db = await getDb();
  const { page, story } = await loadPageFor(db, actor, "generate", pageId);
  if (page.content.trim() === "")
    throw new AppError("VALIDATION", "This page has no text to illustrate. Write something first.", {
      fields: { pageId: "The page is blank." },
    });
  const payload: IllustratePayload = {
    ...(sceneDescription ? { sceneDescription } : {}),
    ...(imagePrompt ? { imagePrompt } : {}),
  };
  const { job, created } = await submitIllustration(db, actor, story.id, page.id, payload);
  return { job: toIllustrationJobView(job), created };
}

export interface PageIllustrations {
  /** Every kept attempt, newest first. */
  attempts: IllustrationView[];
  /** The running Illustrate job, or the latest one (for its outcome), if any. */
  job: IllustrationJobView | null;
  /** "With Generate": an Illustrate waits for a Generate's text to reach the page (or its suggestion to be applied). */
  waitingForText: boolean;
}

/** A page's illustration attempts and its latest Illustrate job, for the story's readers. */
export async function listPageIllustrations(actorOrNull: Actor | null, input: unknown): Promise<PageIllustrations> {
  const actor = requireActor(actorOrNull);
  const { pageId } = parseInput(z.object({ pageId: idField }), input);
  const db = await getDb();
  const { page } = await loadPageFor(db, actor, "read", pageId);
  const rows = await db
    .select()
    .from(pageIllustrations)
    .where(eq(pageIllustrations.pageId, page.id))
    .orderBy(desc(pageIllustrations.createdAt));
  const [latest] = await db
    .select()
    .from(aiJobs)
    .where(and(eq(aiJobs.targetType, ILLUSTRATION_TARGET), eq(aiJobs.targetId, page.id)))
    .orderBy(desc(aiJobs.createdAt))
    .limit(1);
  const [wait] = await db
    .select({ textJobId: illustrationWaits.textJobId, textStatus: aiJobs.status })
    .from(illustrationWaits)
    .leftJoin(aiJobs, eq(aiJobs.id, illustrationWaits.textJobId))
    .where(eq(illustrationWaits.pageId, page.id));
  // The text it waited for will never come (its Generate failed or was cancelled): the wait goes, rather than saying
  // "waiting for the text" until the page's next Generate replaces it.
  const textGone = wait !== undefined && (wait.textStatus === "failed" || wait.textStatus === "cancelled");
  if (wait && textGone)
    await db
      .delete(illustrationWaits)
      .where(and(eq(illustrationWaits.pageId, page.id), eq(illustrationWaits.textJobId, wait.textJobId)));
  return {
    attempts: rows.map(toIllustrationView),
    job: latest ? toIllustrationJobView(latest) : null,
    waitingForText: wait !== undefined && !textGone,
  };
}

/** The chosen illustration of each page of a story (the reading view, exports), by page id. */
export async function chosenIllustrationsOf(db: Db, storyId: string): Promise<Map<string, PageIllustration>> {
  const rows = await db
    .select()
    .from(pageIllustrations)
    .where(and(eq(pageIllustrations.storyId, storyId), isNotNull(pageIllustrations.chosenAt)));
  return new Map(rows.map((r) => [r.pageId, r]));
}

export async function chosenIllustrations(
  actorOrNull: Actor | null,
  input: unknown,
): Promise<Record<string, IllustrationView>> {
  const actor = requireActor(actorOrNull);
  const { storyId } = parseInput(z.object({ storyId: idField }), input);
  const db = await getDb();
  const story = await loadStoryFor(db, actor, "read", storyId);
  const chosen = await chosenIllustrationsOf(db, story.id);
  return Object.fromEntries([...chosen].map(([pageId, row]) => [pageId, toIllustrationView(row)]));
}

async function loadIllustrationFor(db: Db, actor: Actor, action: "read" | "edit", illustrationId: string) {
  const notFoundMessage = "We couldn't find that illustration.";
  const [row] = await db.select().from(pageIllustrations).where(eq(pageIllustrations.id, illustrationId)).limit(1);
  if (!row) throw new AppError("NOT_FOUND", notFoundMessage);
  await loadStoryFor(db, actor, action, row.storyId, { notFoundMessage });
  return row;
}

/** Picks the attempt that illustrates its page (`edit`); choosing the chosen one again changes nothing. */
export async function chooseIllustration(actorOrNull: Actor | null, input: unknown): Promise<IllustrationView> {
  const actor = requireActor(actorOrNull);
  const { illustrationId } = parseInput(z.object({ illustrationId: idField }), input);
  const db = await getDb();
  const row = await loadIllustrationFor(db, actor, "edit", illustrationId);
  const chosen = await db.transaction(async (tx) => {
    await tx
      .update(pageIllustrations)
      .set({ chosenAt: null })
      .where(and(eq(pageIllustrations.pageId, row.pageId), isNotNull(pageIllustrations.chosenAt)));
    const [updated] = await tx
      .update(pageIllustrations)
      .set({ chosenAt: new Date() })
      .where(eq(pageIllustrations.id, row.id))
      .returning();
    // Purged meanwhile (an old attempt nobody had chosen): the page keeps the choice it had.
    if (!updated) throw new AppError("NOT_FOUND", "We couldn't find that illustration.");
    return updated;
  });
  return toIllustrationView(chosen);
}

/** Cancels an Illustrate job and the scene description's own row if it is still running; nothing is stored for it. */
async function cancelIllustrationRun(db: Db, jobId: string): Promise<AiJob> {
  const job = await cancelOneJob(db, jobId);
  await db
    .update(aiJobs)
    .set({ status: "cancelled", errorCode: "GEN_CANCELLED", completedAt: new Date(), updatedAt: new Date() })
    .where(and(eq(aiJobs.parentJobId, jobId), inArray(aiJobs.status, ["pending", "running"])));
  return job;
}

/** Cancels the page's running Illustrate job (`generate`); nothing is stored for it. */
export async function cancelIllustration(
  actorOrNull: Actor | null,
  input: unknown,
): Promise<IllustrationJobView | null> {
  const actor = requireActor(actorOrNull);
  const { pageId } = parseInput(z.object({ pageId: idField }), input);
  const db = await getDb();
  const { page } = await loadPageFor(db, actor, "generate", pageId);
  const active = await findActiveJob(db, ILLUSTRATION_TARGET, page.id);
  if (!active) return null;
  return toIllustrationJobView(await cancelIllustrationRun(db, active.id));
}

async function loadIllustrationJobFor(db: Db, actor: Actor, action: "read" | "generate", jobId: string) {
  const job: AiJob | undefined = await getJob(db, jobId);
  if (!job || job.jobType !== ILLUSTRATE_JOB_TYPE) throw new AppError("NOT_FOUND", "We couldn't find that job.");
  await loadPageFor(db, actor, action, job.targetId, {
    includeDeleted: true,
    notFoundMessage: "We couldn't find that job.",
  });
  return job;
}

/**
 * Cancels an Illustrate job by its id (`generate`; REST's POST /api/v1/jobs/{id}/cancel). Idempotent: a finished job
 * is returned as it is.
 */
export async function cancelIllustrationJob(actor: Actor, jobId: string): Promise<IllustrationJobView> {
  const db = await getDb();
  const job = await loadIllustrationJobFor(db, actor, "generate", jobId);
  return toIllustrationJobView(await cancelIllustrationRun(db, job.id));
}

/** An illustration job by id, for its page's readers. */
export async function getIllustrationJob(actorOrNull: Actor | null, input: unknown): Promise<IllustrationJobView> {
  const actor = requireActor(actorOrNull);
  const { jobId } = parseInput(z.object({ jobId: idField }), input);
  const db = await getDb();
  return toIllustrationJobView(await loadIllustrationJobFor(db, actor, "read", jobId));
}

export interface IllustrationImage {
  bytes: Uint8Array;
  contentType: string;
  /** Strong validator: the illustration's id (its bytes never change). */
  etag: string;
}

/**
 * An illustration's bytes for the story's readers (anyone else: NOT_FOUND, as if it did not exist). The type served is
 * read from the bytes again — never the store's or the provider's claim — and anything that is not a PNG, JPEG or
 * WebP (an SVG, say) is refused rather than served.
 */
export async function readIllustrationImage(actorOrNull: Actor | null, input: unknown): Promise<IllustrationImage> {
  const actor = requireActor(actorOrNull);
  const { illustrationId } = parseInput(z.object({ illustrationId: idField }), input);
  const db = await getDb();
  const row = await loadIllustrationFor(db, actor, "read", illustrationId);
  const store = imageStoreOfKind(db, row.storage);
  if (!store) throw new AppError("NOT_FOUND", "This illustration's storage is no longer configured on this server.");
  const stored = await store.get(row.imageKey);
  if (!stored) throw new AppError("NOT_FOUND", "We couldn't find that illustration's image.");
  const sniffed = sniffImage(stored.bytes);
  if (!sniffed) throw new AppError("INTERNAL", "The stored image is not a PNG, JPEG or WebP image.");
  return { bytes: stored.bytes, contentType: sniffed.contentType, etag: `"${row.id}"` };
}
